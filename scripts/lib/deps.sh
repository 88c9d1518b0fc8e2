# Sourced by scripts/demo and scripts/test: installs the Debian packages that
# berth's build, demo and tests need, only when something is missing.
#
# qemu-utils is named with qemu-system-x86's version: some machines carry a
# newer qemu-utils from backports that conflicts with bookworm's QEMU.
# ruby, zsh, fish and groff-base check the Homebrew formula, the completion
# scripts and the man pages (tests/packaging.rs); criu checkpoints and
# restores containers for runc (tests/checkpoint.rs).

berth_packages=(
    podman runc busybox-static uidmap slirp4netns
    qemu-system-x86 qemu-utils ovmf
    openssh-server openssh-client
    xz-utils zstd curl socat jq openssl python3
    debootstrap ignition mtools dosfstools e2fsprogs fdisk extlinux syslinux-common
    hyperfine docker-registry apache2-utils ruby zsh fish groff-base criu
)

berth_missing_packages() {
    local pkg
    for pkg in "${berth_packages[@]}"; do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || echo "$pkg"
    done
    # A qemu-utils that does not match qemu-system's version counts as missing.
    local sys utils
    sys=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
    utils=$(dpkg-query -W -f='${Version}' qemu-utils 2>/dev/null || true)
    if [ -n "$sys" ] && [ "$sys" != "$utils" ]; then echo qemu-utils; fi
}

berth_install_deps() {
    local missing
    missing=$(berth_missing_packages | sort -u)
    if [ -z "$missing" ]; then return 0; fi
    echo "installing: $(echo $missing)" >&2
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq
    local qemu_version
    qemu_version=$(apt-cache policy qemu-system-x86 | awk '/Candidate:/ {print $2}')
    local pkgs=() pkg
    for pkg in $missing; do
        if [ "$pkg" = qemu-utils ] || [ "$pkg" = qemu-system-x86 ]; then
            pkgs+=(qemu-system-x86 "qemu-utils=$qemu_version")
        else
            pkgs+=("$pkg")
        fi
    done
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --allow-downgrades --no-install-recommends "${pkgs[@]}" >&2
}

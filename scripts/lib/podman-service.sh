# Sourced by scripts/demo and scripts/bench/*: an isolated podman service
# (own storage, socket and containers.conf with runc and default ulimits,
# which this kind of machine needs) and the static busybox test image.
#
#   berth_podman_service_start DIR   # sets podman_socket and podman_service_pid
#   berth_import_busybox             # localhost/busybox:test through the service
#   berth_podman_service_stop        # by pid; unmounts and removes DIR

podman_service_dir=""
podman_service_pid=""
podman_socket=""

berth_podman_service_start() {
    podman_service_dir=$1
    mkdir -p "$podman_service_dir"
    cat >"$podman_service_dir/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
    podman_socket=$podman_service_dir/podman.sock
    CONTAINERS_CONF=$podman_service_dir/containers.conf podman \
        --root "$podman_service_dir/root" --runroot "$podman_service_dir/runroot" \
        --tmpdir "$podman_service_dir/tmp" \
        system service --time=0 "unix://$podman_socket" 2>"$podman_service_dir/service.log" &
    podman_service_pid=$!
    local _
    for _ in $(seq 1 300); do
        if curl -sf --unix-socket "$podman_socket" http://d/v4.0.0/libpod/_ping >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "the podman service did not start; its log:" >&2
    cat "$podman_service_dir/service.log" >&2
    return 1
}

# The reference client on the same service.
berth_podman_remote() {
    CONTAINERS_CONF=$podman_service_dir/containers.conf podman --remote --url "unix://$podman_socket" "$@"
}

berth_import_busybox() {
    local root=$podman_service_dir/busybox-rootfs applet
    mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev"
    cp /bin/busybox "$root/bin/"
    for applet in sh echo cat sleep ls env id true false printf pwd top ps head tail wc stty tty hostname; do
        ln -sf busybox "$root/bin/$applet"
    done
    tar -C "$root" -cf "$podman_service_dir/busybox.tar" .
    berth_podman_remote import --change 'CMD ["/bin/sh"]' "$podman_service_dir/busybox.tar" \
        localhost/busybox:test >/dev/null
}

berth_podman_service_stop() {
    if [ -n "$podman_service_pid" ]; then
        berth_podman_remote rm -a -f -t 0 >/dev/null 2>&1 || true
        kill "$podman_service_pid" 2>/dev/null || true
        wait "$podman_service_pid" 2>/dev/null || true
        podman_service_pid=""
    fi
    if [ -n "$podman_service_dir" ]; then
        grep -o " $podman_service_dir[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
        rm -rf "$podman_service_dir"
        podman_service_dir=""
    fi
}

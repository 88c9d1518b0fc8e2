# Sourced by scripts/demo and scripts/bench/*: an isolated podman service
# (own storage, socket and containers.conf with runc and default ulimits,
# which this kind of machine needs), stopped by its pid.
#
#   berth_start_podman_service DIR   # sets podman_socket and podman_service_pid
#   berth_stop_podman_service DIR    # stops it, unmounts and removes DIR

berth_start_podman_service() {
    local dir=$1
    cat >"$dir/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
    podman_socket=$dir/podman.sock
    CONTAINERS_CONF=$dir/containers.conf podman \
        --root "$dir/root" --runroot "$dir/runroot" --tmpdir "$dir/tmp" \
        system service --time=0 "unix://$podman_socket" 2>"$dir/service.log" &
    podman_service_pid=$!
    local _
    for _ in $(seq 1 300); do
        if curl -sf --unix-socket "$podman_socket" http://d/v4.0.0/libpod/_ping >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "podman system service did not start:" >&2
    cat "$dir/service.log" >&2
    return 1
}

berth_stop_podman_service() {
    local dir=$1
    if [ -n "${podman_service_pid:-}" ]; then
        kill "$podman_service_pid" 2>/dev/null || true
        wait "$podman_service_pid" 2>/dev/null || true
        podman_service_pid=""
    fi
    grep -o " $dir[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$dir"
}

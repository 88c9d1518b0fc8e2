//! berth-client: a client for the podman REST API (libpod and Docker-compatible),
//! together with podman's connection model (`podman-connections.json`,
//! containers.conf service destinations) and the transports that reach an
//! engine (unix socket, TCP, SSH `direct-streamlocal`).

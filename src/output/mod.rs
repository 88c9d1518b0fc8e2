//! Everything berth prints the way podman prints it: Go `text/template`
//! `--format` strings (with podman's extra functions), tables aligned like
//! podman's tabwriter, `--format json`, and human times and sizes
//! ("5 minutes ago", "Up 5 seconds", "1.2 MB").

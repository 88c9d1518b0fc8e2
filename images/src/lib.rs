//! berth-images: turns an image reference (a Fedora CoreOS stream, a URL, a local
//! file or an OCI artifact) into a verified, unpacked, ready-to-boot base disk in
//! a content-addressed cache, in one streaming pass.

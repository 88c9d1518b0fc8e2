//! QEMU: the command line as a pure function of the host profile ([`argv`]),
//! the choice and probing of an accelerator ([`accel`]), where the QEMU
//! binary and aarch64 firmware live on each host ([`binary`], [`firmware`]),
//! a QMP client ([`qmp`]), and the volume driver and virtiofsd ([`virtiofs`]).

pub mod accel;
pub mod argv;
pub mod binary;
pub mod firmware;
pub mod qmp;
pub mod virtiofs;

pub use accel::Accel;
pub use argv::{qemu_args, QemuSpec, Share, ShareTransport, NETDEV_ID};

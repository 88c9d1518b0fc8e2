//! Tar archives between the host and the engine: build contexts filtered by
//! `.containerignore` / `.dockerignore` ([`ignore`]), host files and
//! directories packed for the engine ([`write`]), and archives from the
//! engine unpacked onto the host ([`extract`]). All of them work on
//! streams: nothing is staged in a temporary file or held whole in memory.

pub mod extract;
pub mod ignore;
pub mod write;

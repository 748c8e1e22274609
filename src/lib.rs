//! storebench: is the hardware-optimized build of a library really faster than the
//! stock build, and by how much? See DESIGN.md in the repository for the map.

pub mod affinity;
pub mod baseline;
pub mod calibrate;
pub mod change;
pub mod claims;
pub mod cli;
pub mod compare;
pub mod config;
pub mod environment;
pub mod error;
pub mod export;
pub mod gate;
pub mod glibc;
pub mod history;
pub mod host;
pub mod interpreter;
pub mod library;
pub mod nix;
pub mod probe;
pub mod process;
pub mod provenance;
pub mod report;
pub mod results;
pub mod runner;
pub mod stats;
pub mod table;
pub mod tempfiles;
pub mod variant;
pub mod worker;
pub mod workload;

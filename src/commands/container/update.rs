//! `berth update [options] CONTAINER`: new cgroup limits (CPU, memory,
//! block IO weight) for a container, sent as OCI `LinuxResources`; prints
//! the name as given.

use serde_json::{json, Map, Value};

use super::print_line;
use crate::cli::housekeeping::{ResourceFlags, UpdateArgs};
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &UpdateArgs) -> anyhow::Result<u8> {
    let iops = !args.device_read_iops.is_empty() || !args.device_write_iops.is_empty();
    let resources = resources(&args.resources, iops)?;
    let client = crate::connection::connect(global).await?;
    berth_client::api::maintenance::update(&client, &args.container, &resources).await?;
    print_line(&args.container)?;
    Ok(0)
}

/// The OCI `LinuxResources` object for the flags that were given;
/// `device_iops` tells whether per-device IO limits were asked for too.
pub fn resources(args: &ResourceFlags, device_iops: bool) -> anyhow::Result<Value> {
    let device_flags = [
        &args.blkio_weight_device,
        &args.device_read_bps,
        &args.device_write_bps,
    ];
    if device_iops || device_flags.iter().any(|flag| !flag.is_empty()) {
        anyhow::bail!(
            "per-device limits name devices of the engine's machine, which berth cannot resolve yet: use --blkio-weight"
        );
    }
    let mut cpu = Map::new();
    if let Some(shares) = args.cpu_shares {
        cpu.insert("shares".into(), json!(shares));
    }
    if let Some(cpus) = args.cpus {
        if cpus < 0.0 {
            anyhow::bail!("invalid value for cpus: must not be negative");
        }
        let period = 100_000u64;
        cpu.insert("period".into(), json!(period));
        cpu.insert("quota".into(), json!((cpus * period as f64) as i64));
    }
    if let Some(period) = args.cpu_period {
        cpu.insert("period".into(), json!(period));
    }
    if let Some(quota) = args.cpu_quota {
        cpu.insert("quota".into(), json!(quota));
    }
    if let Some(period) = args.cpu_rt_period {
        cpu.insert("realtimePeriod".into(), json!(period));
    }
    if let Some(runtime) = args.cpu_rt_runtime {
        cpu.insert("realtimeRuntime".into(), json!(runtime));
    }
    if let Some(cpus) = &args.cpuset_cpus {
        cpu.insert("cpus".into(), json!(cpus));
    }
    if let Some(mems) = &args.cpuset_mems {
        cpu.insert("mems".into(), json!(mems));
    }
    let mut memory = Map::new();
    if let Some(limit) = &args.memory {
        memory.insert("limit".into(), json!(parse_size("memory", limit)?));
    }
    if let Some(reservation) = &args.memory_reservation {
        memory.insert(
            "reservation".into(),
            json!(parse_size("memory-reservation", reservation)?),
        );
    }
    if let Some(swap) = &args.memory_swap {
        let swap = if swap == "-1" {
            -1
        } else {
            parse_size("memory-swap", swap)?
        };
        memory.insert("swap".into(), json!(swap));
    }
    if args.memory_swappiness != -1 {
        if !(0..=100).contains(&args.memory_swappiness) {
            anyhow::bail!(
                "invalid value: {}, valid memory swappiness range is 0-100",
                args.memory_swappiness
            );
        }
        memory.insert("swappiness".into(), json!(args.memory_swappiness));
    }
    let mut resources = Map::new();
    if !cpu.is_empty() {
        resources.insert("cpu".into(), Value::Object(cpu));
    }
    if !memory.is_empty() {
        resources.insert("memory".into(), Value::Object(memory));
    }
    if let Some(weight) = &args.blkio_weight {
        let weight: u16 = weight
            .parse()
            .ok()
            .filter(|w| (10..=1000).contains(w))
            .ok_or_else(|| {
                anyhow::anyhow!("invalid blkio weight {weight:?}: must be 10 to 1000")
            })?;
        resources.insert("blockIO".into(), json!({ "weight": weight }));
    }
    Ok(Value::Object(resources))
}

/// go-units `RAMInBytes`: a number with an optional b/k/m/g/t/p unit
/// (powers of 1024, an optional trailing `b`).
fn parse_size(flag: &str, text: &str) -> anyhow::Result<i64> {
    let invalid = || anyhow::anyhow!("invalid value for {flag}: invalid size: '{text}'");
    let lower = text.trim().to_ascii_lowercase();
    let split = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (number, unit) = lower.split_at(split);
    let number: f64 = number.parse().map_err(|_| invalid())?;
    let multiplier: f64 = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024f64.powi(4),
        "p" | "pb" | "pib" => 1024f64.powi(5),
        _ => return Err(invalid()),
    };
    Ok((number * multiplier) as i64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_like_go_units() {
        assert_eq!(parse_size("memory", "100m").unwrap(), 100 << 20);
        assert_eq!(parse_size("memory", "1g").unwrap(), 1 << 30);
        assert_eq!(parse_size("memory", "512").unwrap(), 512);
        assert_eq!(
            parse_size("memory", "1x").unwrap_err().to_string(),
            "invalid value for memory: invalid size: '1x'"
        );
    }
}

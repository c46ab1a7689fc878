//! UTC timestamps without a date-time dependency: session ids and report times only need the
//! civil date of the system clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// (year, month, day, hour, minute, second) in UTC for seconds since the epoch.
fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, (rem / 3600) as u32, (rem % 3600 / 60) as u32, (rem % 60) as u32)
}

fn now_secs() -> (u64, u32) {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    (d.as_secs(), d.subsec_nanos())
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    let (y, mo, d, h, mi, s) = civil(now_secs().0);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// The current time as `YYYYMMDD-HHMMSS` (folder and id names).
pub fn compact_stamp() -> String {
    let (y, mo, d, h, mi, s) = civil(now_secs().0);
    format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}")
}

/// A new session id: the compact time plus four hex digits from the clock's nanoseconds and the
/// process id, so two sessions started in the same second differ.
pub fn session_id() -> String {
    let (_, nanos) = now_secs();
    let mix = (nanos ^ std::process::id().rotate_left(16)) & 0xffff;
    format!("{}-{mix:04x}", compact_stamp())
}

#[cfg(test)]
mod tests {
    use super::civil;

    #[test]
    fn civil_dates_match_known_timestamps() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        // 2000-02-29T12:34:56Z (a leap day in a century leap year).
        assert_eq!(civil(951_827_696), (2000, 2, 29, 12, 34, 56));
        // 2026-11-22T03:28:05Z.
        assert_eq!(civil(1_795_318_085), (2026, 11, 22, 3, 28, 5));
    }
}

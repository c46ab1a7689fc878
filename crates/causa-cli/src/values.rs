//! Parsers for option values that clap's built-in parsers do not cover.
//!
//! A count such as `--limit 0` parses as a number but asks for nothing: the command would run,
//! list nothing and still claim that more results exist. Rejecting it while parsing makes it an
//! invalid-input error (exit code 2) that names the flag, like any other bad value.

/// A count that must be at least 1.
pub fn at_least_one(text: &str) -> Result<usize, String> {
    let n: usize = text.trim().parse().map_err(|_| format!("`{text}` is not a whole number"))?;
    if n == 0 { Err("must be at least 1".into()) } else { Ok(n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_text_are_refused() {
        assert_eq!(at_least_one("3"), Ok(3));
        assert_eq!(at_least_one("0"), Err("must be at least 1".into()));
        assert!(at_least_one("-1").is_err());
        assert!(at_least_one("many").unwrap_err().contains("many"));
    }
}

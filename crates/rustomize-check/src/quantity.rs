//! Resource quantities (`250m`, `1.5Gi`, `1e3`), read as Kubernetes reads
//! them, to compare requests with limits and claims with volumes.

use rustomize_yaml::{Node, Tag};

/// A quantity in billionths of its unit (nano-cores, nano-bytes), rounded
/// up as Kubernetes rounds below its smallest unit; large enough for
/// exabytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Quantity(i128);

#[cfg(test)]
const NANO: i128 = 1_000_000_000;

impl Quantity {
    /// Parses Kubernetes' quantity syntax; `None` for anything else (the
    /// schema rule reports malformed quantities).
    pub(crate) fn parse(s: &str) -> Option<Quantity> {
        let s = s.trim();
        let number_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
            .unwrap_or(s.len());
        let (number, suffix) = s.split_at(number_end);
        let (sign, digits) = match number.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, number.strip_prefix('+').unwrap_or(number)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        // The value is digits * 10^exp10 * 2^exp2.
        let (exp10, exp2): (i32, u32) = match suffix {
            "" => (0, 0),
            "n" => (-9, 0),
            "u" => (-6, 0),
            "m" => (-3, 0),
            "k" => (3, 0),
            "M" => (6, 0),
            "G" => (9, 0),
            "T" => (12, 0),
            "P" => (15, 0),
            "E" => (18, 0),
            "Ki" => (0, 10),
            "Mi" => (0, 20),
            "Gi" => (0, 30),
            "Ti" => (0, 40),
            "Pi" => (0, 50),
            "Ei" => (0, 60),
            e => {
                let exp = e.strip_prefix(['e', 'E'])?;
                (exp.parse::<i32>().ok()?, 0)
            }
        };
        let mut mantissa: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(b - b'0'))?;
        }
        // In nano-units: mantissa * 10^(exp10 - frac digits + 9) * 2^exp2.
        let scale = exp10 - frac.len() as i32 + 9;
        let mut v = mantissa.checked_mul(1i128.checked_shl(exp2)?)?;
        if scale >= 0 {
            v = v.checked_mul(10i128.checked_pow(scale as u32)?)?;
        } else {
            let d = 10i128.checked_pow((-scale) as u32)?;
            v = (v + d - 1) / d;
        }
        Some(Quantity(sign * v))
    }

    /// A quantity node: a string, or a bare number.
    pub(crate) fn of(n: Option<&Node>) -> Option<Quantity> {
        let s = n?.as_scalar()?;
        match s.tag {
            Tag::Str | Tag::Int | Tag::Float => Quantity::parse(&s.value),
            _ => None,
        }
    }

    /// One unit (`1` core, `1` byte).
    #[cfg(test)]
    fn units(n: i128) -> Quantity {
        Quantity(n * NANO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rows;

    #[test]
    fn parses_and_orders_quantities() {
        rows(
            &[
                ("1", Quantity::units(1)),
                ("250m", Quantity(250_000_000)),
                ("0.5", Quantity(500_000_000)),
                ("1Ki", Quantity::units(1024)),
                ("1.5Gi", Quantity::units(1_610_612_736)),
                ("1k", Quantity::units(1000)),
                ("1e3", Quantity::units(1000)),
                ("2E", Quantity::units(2_000_000_000_000_000_000)),
                ("1n", Quantity(1)),
                (".5", Quantity(500_000_000)),
            ],
            |&(text, want)| {
                let got = Quantity::parse(text);
                (got == Some(want)).then_some(()).ok_or(format!("{got:?}"))
            },
        );
        assert!(Quantity::parse("512Mi") > Quantity::parse("500M"));
        assert!(Quantity::parse("1") > Quantity::parse("999m"));
        rows(
            &["", "Gi", "1.2.3", "512mb", "1 Gi"],
            |bad| match Quantity::parse(bad) {
                None => Ok(()),
                Some(q) => Err(format!("{q:?}")),
            },
        );
    }
}

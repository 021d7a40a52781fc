//! How plain scalars resolve to types, and how numbers are printed.
//!
//! kustomize reads YAML with yaml.v3 (YAML 1.2-ish: `yes` is a string) and
//! prints it through a JSON round trip and yaml.v2 (YAML 1.1: `yes` is a
//! boolean, so it must be quoted). Both resolvers are here, with Go's number
//! parsing and formatting rules, so the rest of the crate never guesses.

/// The type a scalar resolves to, by the rules of the YAML reader kustomize
/// uses (yaml.v3): `true`/`false` are booleans, `yes`/`on` are strings, `0777`
/// is an octal integer, `1e3` a float, `~` and the empty scalar are null.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    /// `null`, `~` or nothing at all.
    Null,
    /// `true` or `false` (and their capitalised forms).
    Bool,
    /// An integer in any notation Go's `strconv.ParseInt(s, 0, 64)` accepts.
    Int,
    /// A floating point number, `.inf` or `.nan`.
    Float,
    /// A date or date and time (`2001-12-14`); printed as RFC 3339 text.
    Timestamp,
    /// Anything else, and every quoted or block scalar.
    Str,
    /// A mapping key with an explicit tag yaml.v3 does not read as a string
    /// (`!foo a:`, `!!x a:`, `!!binary YQ==:`): its text is kept, but the
    /// mapping cannot be printed, as kustomize's JSON step refuses a map
    /// whose keys are not all strings. Only keys carry it.
    Other,
}

/// Resolves a plain (unquoted, untagged) scalar the way yaml.v3 does.
pub fn resolve_plain(s: &str) -> Tag {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Tag::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Tag::Bool,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => return Tag::Float,
        _ => {}
    }
    match s.as_bytes()[0] {
        b'.' => {
            if parse_float_dot(s).is_some() {
                Tag::Float
            } else {
                Tag::Str
            }
        }
        b'0'..=b'9' if is_timestamp(s) => Tag::Timestamp,
        b'+' | b'-' | b'0'..=b'9' => match number_v3(s) {
            Some(Number::Float(_)) => Tag::Float,
            Some(_) => Tag::Int,
            None => Tag::Str,
        },
        _ => Tag::Str,
    }
}

/// Whether yaml.v2 would print `s` unquoted as a string; when false, the
/// emitter double-quotes it so it does not read back as another type.
pub fn v2_plain_is_string(s: &str) -> bool {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return false,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" | "n"
        | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return false;
        }
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => return false,
        _ => {}
    }
    match s.as_bytes()[0] {
        b'.' => parse_float_dot(s).is_none(),
        b'+' | b'-' | b'0'..=b'9' => {
            if is_timestamp(s) || number_v2(s).is_some() {
                return false;
            }
            !is_base60_float(s)
        }
        _ => true,
    }
}

/// A number parsed by Go's rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// Fits an `int64`.
    Int(i64),
    /// Fits a `uint64` but not an `int64`.
    Uint(u64),
    /// Anything else.
    Float(f64),
}

/// Parses the text of a scalar tagged int or float into its number, by
/// yaml.v3's rules (underscores dropped, `0x`, `0o`, `0b` and `0777` octal).
pub fn parse_number(s: &str) -> Option<Number> {
    match s {
        ".nan" | ".NaN" | ".NAN" => return Some(Number::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Number::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Number::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    if s.starts_with('.') {
        return parse_float_dot(s).map(Number::Float);
    }
    number_v3(s)
}

fn parse_float_dot(s: &str) -> Option<f64> {
    // strconv.ParseFloat on text starting with '.': digits, optional exponent.
    let rest = &s[1..];
    if rest.is_empty() || !rest.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    if !is_yaml_style_float(s) {
        return None;
    }
    go_parse_float(s)
}

/// Go's `strconv.ParseFloat(s, 64)` on text already checked to be a float:
/// a value beyond the largest float is an error there (`1e400` is then a
/// string to yaml.v2 and yaml.v3), where Rust gives infinity.
fn go_parse_float(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn number_v3(s: &str) -> Option<Number> {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(n) = go_parse_int(&plain) {
        return Some(n);
    }
    if is_yaml_style_float(&plain)
        && let Some(f) = go_parse_float(&plain)
    {
        return Some(Number::Float(f));
    }
    if let Some(digits) = plain.strip_prefix("0b") {
        return parse_radix(digits, 2, false);
    }
    if let Some(digits) = plain.strip_prefix("-0b") {
        return parse_radix(digits, 2, true);
    }
    if let Some(digits) = plain.strip_prefix("0o") {
        return parse_radix(digits, 8, false);
    }
    if let Some(digits) = plain.strip_prefix("-0o") {
        return parse_radix(digits, 8, true);
    }
    None
}

fn number_v2(s: &str) -> Option<Number> {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(n) = go_parse_int(&plain) {
        return Some(n);
    }
    if is_yaml_style_float(&plain) && go_parse_float(&plain).is_some() {
        return Some(Number::Float(0.0));
    }
    if let Some(digits) = plain.strip_prefix("0b") {
        return parse_radix(digits, 2, false);
    }
    if let Some(digits) = plain.strip_prefix("-0b") {
        return parse_radix(digits, 2, true);
    }
    None
}

fn parse_radix(digits: &str, radix: u32, negative: bool) -> Option<Number> {
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let v = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        if v <= (i64::MAX as u64) + 1 {
            Some(Number::Int((v as i128).wrapping_neg() as i64))
        } else {
            None
        }
    } else if let Ok(i) = i64::try_from(v) {
        Some(Number::Int(i))
    } else {
        Some(Number::Uint(v))
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<Number> {
    let (negative, body) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) =
        if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, d)
        } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, d)
        } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, d)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        if v <= (i64::MAX as u64) + 1 {
            Some(Number::Int((v as i128).wrapping_neg() as i64))
        } else {
            None
        }
    } else if let Ok(i) = i64::try_from(v) {
        Some(Number::Int(i))
    } else if s.starts_with('+') {
        // ParseUint does not take a sign.
        None
    } else {
        Some(Number::Uint(v))
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`, yaml.v2's guard
/// against sexagesimal numbers such as `1:20`.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if !s.contains(':') {
        return false;
    }
    let mut i = 0;
    if b[0] == b'+' || b[0] == b'-' {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if b[start] <= b'5' => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Whether `s` is a timestamp in one of the forms yaml.v2 and yaml.v3 accept
/// (`2001-12-14`, `2001-12-14T21:59:43.10Z`, `2001-12-14 21:59:43.10`).
pub fn is_timestamp(s: &str) -> bool {
    parse_timestamp(s).is_some()
}

/// A timestamp's parts, as Go's `time.Parse` reads them.
struct Timestamp<'a> {
    year: u32,
    month: u32,
    day: u32,
    hms: (u32, u32, u32),
    fraction: &'a str,
    /// Offset east of UTC in minutes.
    offset: i32,
}

fn parse_timestamp(s: &str) -> Option<Timestamp<'_>> {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let year: u32 = s[..4].parse().ok()?;
    let mut p = TsParser { b, i: 5 };
    let month = p.num(1, 12)?;
    if !p.eat(b'-') {
        return None;
    }
    let day = p.num(1, 31)?;
    if day > days_in(month, year) {
        return None;
    }
    let mut ts = Timestamp {
        year,
        month,
        day,
        hms: (0, 0, 0),
        fraction: "",
        offset: 0,
    };
    if p.i == b.len() {
        return Some(ts);
    }
    let sep = b[p.i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return None;
    }
    p.i += 1;
    let h = p.num(0, 23)?;
    let m = if p.eat(b':') {
        p.num(0, 59)?
    } else {
        return None;
    };
    let sec = if p.eat(b':') {
        p.num(0, 59)?
    } else {
        return None;
    };
    ts.hms = (h, m, sec);
    if p.i + 1 < b.len() && b[p.i] == b'.' && b[p.i + 1].is_ascii_digit() {
        let start = p.i + 1;
        p.i += 1;
        while p.i < b.len() && b[p.i].is_ascii_digit() {
            p.i += 1;
        }
        ts.fraction = &s[start..p.i];
    }
    if sep == b' ' {
        return (p.i == b.len()).then_some(ts);
    }
    // Z07:00: `Z`, or a sign, two digits, a colon and two digits.
    let rest = &b[p.i..];
    if rest == b"Z" {
        return Some(ts);
    }
    let ok = rest.len() == 6
        && (rest[0] == b'+' || rest[0] == b'-')
        && rest[1].is_ascii_digit()
        && rest[2].is_ascii_digit()
        && rest[3] == b':'
        && rest[4].is_ascii_digit()
        && rest[5].is_ascii_digit();
    if !ok {
        return None;
    }
    let hh = i32::from(rest[1] - b'0') * 10 + i32::from(rest[2] - b'0');
    let mm = i32::from(rest[4] - b'0') * 10 + i32::from(rest[5] - b'0');
    if hh > 24 || mm > 60 {
        return None;
    }
    ts.offset = if rest[0] == b'-' {
        -(hh * 60 + mm)
    } else {
        hh * 60 + mm
    };
    Some(ts)
}

/// Formats a timestamp scalar as Go's `time.RFC3339Nano`, which is what
/// kustomize prints for an unquoted date.
pub fn format_timestamp(s: &str) -> Option<String> {
    let ts = parse_timestamp(s)?;
    let (h, m, sec) = ts.hms;
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        ts.year, ts.month, ts.day, h, m, sec
    );
    let frac: String = ts.fraction.chars().take(9).collect();
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if ts.offset == 0 {
        out.push('Z');
    } else {
        let sign = if ts.offset < 0 { '-' } else { '+' };
        let o = ts.offset.unsigned_abs();
        out.push_str(&format!("{sign}{:02}:{:02}", o / 60, o % 60));
    }
    Some(out)
}

struct TsParser<'a> {
    b: &'a [u8],
    i: usize,
}

impl TsParser<'_> {
    /// Go's `getnum(s, false)`: one or two digits, within `lo..=hi`.
    fn num(&mut self, lo: u32, hi: u32) -> Option<u32> {
        let b = self.b;
        if self.i >= b.len() || !b[self.i].is_ascii_digit() {
            return None;
        }
        let mut v = u32::from(b[self.i] - b'0');
        self.i += 1;
        if self.i < b.len() && b[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(b[self.i] - b'0');
            self.i += 1;
        }
        (lo..=hi).contains(&v).then_some(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.i < self.b.len() && self.b[self.i] == c {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Shortest round-trip digits and decimal exponent of a finite, non-zero
/// float: `1234.5` gives `("12345", 3)`, meaning 1.2345e3.
fn shortest_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse().unwrap_or(0))
}

fn push_exp(out: &mut String, exp: i32, min_digits: usize) {
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs().to_string();
    for _ in e.len()..min_digits {
        out.push('0');
    }
    out.push_str(&e);
}

fn format_e(neg: bool, digits: &str, exp: i32, min_exp_digits: usize) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    push_exp(&mut out, exp, min_exp_digits);
    out
}

fn format_f(neg: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let point = exp + 1; // digits before the decimal point
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..(-point) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let point = point as usize;
        if digits.len() <= point {
            out.push_str(digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, with yaml.v2's names for the
/// infinities and NaN.
pub fn format_go_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // strconv uses %e when the exponent is below -4 or at least 6 for the
    // shortest precision.
    let (digits, exp) = shortest_digits(f);
    if !(-4..6).contains(&exp) {
        format_e(f < 0.0, &digits, exp, 2)
    } else {
        format_f(f < 0.0, &digits, exp)
    }
}

/// Go's `encoding/json` text for a float64 (used for name hashes).
pub fn format_json_float(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let abs = f.abs();
    let (digits, exp) = shortest_digits(f);
    if !(1e-6..1e21).contains(&abs) {
        let s = format_e(f < 0.0, &digits, exp, 2);
        // encoding/json turns e-07 into e-7.
        if exp < 0 && exp > -10 {
            return s.replacen("e-0", "e-", 1);
        }
        s
    } else {
        format_f(f < 0.0, &digits, exp)
    }
}

/// The text kustomize prints for a number read as `n`, after its JSON round
/// trip: integral floats below 1e21 become integers.
pub fn format_number_for_output(n: Number) -> Result<String, &'static str> {
    match n {
        Number::Int(i) => Ok(i.to_string()),
        Number::Uint(u) => Ok(u.to_string()),
        Number::Float(f) if !f.is_finite() => {
            Err("json: unsupported value: a NaN or infinite float")
        }
        Number::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e21 {
                // encoding/json writes the shortest digits that read back
                // as `f`, padded with zeros (`123456789012345660`, not the
                // exact `123456789012345664`); yaml.v2 reads that text as
                // an integer when it fits 64 bits, else as a float.
                let (digits, exp) = shortest_digits(f);
                let text = format_f(f < 0.0, &digits, exp);
                if text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok() {
                    return Ok(text);
                }
            }
            Ok(format_go_g(f))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_like_yaml_v3() {
        let cases = [
            ("", Tag::Null),
            ("~", Tag::Null),
            ("null", Tag::Null),
            ("true", Tag::Bool),
            ("False", Tag::Bool),
            ("yes", Tag::Str),
            ("on", Tag::Str),
            ("1", Tag::Int),
            ("-1", Tag::Int),
            ("0777", Tag::Int),
            ("0x1F", Tag::Int),
            ("0o17", Tag::Int),
            ("0b101", Tag::Int),
            ("1_000", Tag::Int),
            ("08", Tag::Float),
            ("1e3", Tag::Float),
            ("1.5", Tag::Float),
            (".5", Tag::Float),
            (".inf", Tag::Float),
            ("2001-12-14", Tag::Timestamp),
            ("2001-12-14T21:59:43", Tag::Str),
            ("1.2.3", Tag::Str),
            ("v1", Tag::Str),
            ("-", Tag::Str),
            ("+", Tag::Str),
            ("12:30", Tag::Str),
        ];
        for (s, want) in cases {
            assert_eq!(resolve_plain(s), want, "{s:?}");
        }
    }

    #[test]
    fn v2_quotes_what_yaml_1_1_reads_as_another_type() {
        for s in [
            "yes",
            "on",
            "Off",
            "y",
            "n",
            "1",
            "0777",
            "1e3",
            "~",
            "null",
            "true",
            "",
            "12:30",
            "2001-12-14",
            "1_000",
            ".5",
        ] {
            assert!(!v2_plain_is_string(s), "{s:?} should be quoted");
        }
        for s in [
            "v1", "nginx", "1.2.3", "-", "abc 12", "0x", "12:60", "3Mi", "1.0.0",
            // In yaml.v2's table, but only looked up for text starting
            // with a sign, digit, dot or one of `yYnNtTfFoO~`
            // (kubectl-verified: a `<<` label value prints plain).
            "<<",
        ] {
            assert!(v2_plain_is_string(s), "{s:?} should be plain");
        }
    }

    #[test]
    fn numbers_print_as_after_a_json_round_trip() {
        let cases = [
            ("1", "1"),
            ("0777", "511"),
            ("0x1F", "31"),
            ("1.0", "1"),
            ("1e3", "1000"),
            ("1.5", "1.5"),
            ("0.00001", "1e-05"),
            ("1234567.5", "1.2345675e+06"),
            ("1e21", "1e+21"),
            ("1e20", "1e+20"),
            ("1e18", "1000000000000000000"),
            ("18446744073709551615", "18446744073709551615"),
            ("-0.0", "0"),
            ("08", "8"),
        ];
        for (text, want) in cases {
            let n = parse_number(text).expect(text);
            assert_eq!(format_number_for_output(n).as_deref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn timestamps_print_as_rfc3339() {
        assert_eq!(
            format_timestamp("2001-12-14").as_deref(),
            Some("2001-12-14T00:00:00Z")
        );
        assert_eq!(
            format_timestamp("2001-12-14 21:59:43.10").as_deref(),
            Some("2001-12-14T21:59:43.1Z")
        );
        assert_eq!(
            format_timestamp("2001-12-14t21:59:43.10+05:30").as_deref(),
            Some("2001-12-14T21:59:43.1+05:30")
        );
        assert_eq!(
            format_timestamp("2001-1-2").as_deref(),
            Some("2001-01-02T00:00:00Z")
        );
        assert_eq!(format_timestamp("2002-02-30"), None);
    }

    #[test]
    fn json_floats_print_like_encoding_json() {
        assert_eq!(format_json_float(1.5), "1.5");
        assert_eq!(format_json_float(1e21), "1e+21");
        assert_eq!(format_json_float(1e-7), "1e-7");
        assert_eq!(format_json_float(100.0), "100");
    }
}

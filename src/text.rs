//! Vietnamese text folding, so "nguyen van duc" finds "Nguyễn Văn Đức".
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower case, diacritics removed (đ → d as well), inner white space collapsed.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            if !folded.is_empty() && !folded.ends_with(' ') {
                folded.push(' ');
            }
            continue;
        }
        folded.extend(c.to_lowercase());
    }
    if folded.ends_with(' ') {
        folded.pop();
    }
    folded
}

/// Percent-encodes a URL query value (RFC 3986 unreserved characters stay as they are).
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn fold_removes_marks_and_d_stroke() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("Mù Cang Chải"), "mu cang chai");
        assert_eq!(fold("  Xã   Bảo  Hà "), "xa bao ha");
        assert_eq!(fold("ĐẮK LẮK"), "dak lak");
    }

    #[test]
    fn fold_is_the_same_for_composed_and_decomposed_input() {
        let composed = "Phường Hoàn Kiếm";
        let decomposed: String = unicode_normalization::UnicodeNormalization::nfd(composed).collect();
        assert_eq!(fold(composed), fold(&decomposed));
    }
}

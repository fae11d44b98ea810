/// How long a name from a trace may grow in a report (issue 19: a 1 MiB span name made 7.9 MB of Markdown
/// and 88 MB of HTML). Lengths are UTF-16 code units, as GitHub and JavaScript count them.
public enum NameBound {
    /// A name where it is shown in full: the HTML hover and the name table.
    public static let full = 4_096
    /// A name in a table cell, a row label or a legend.
    public static let cell = 200
    /// A sentence that quotes names: a finding's title or evidence, a heading.
    public static let prose = 2_000

    /// `text` cut to at most `maxCharacters` UTF-16 code units, "…" included; a character is never cut in two.
    public static func cut(_ text: String, _ maxCharacters: Int) -> String {
        guard text.utf16.count > maxCharacters else { return text }
        var out = ""
        var count = 0
        for ch in text {
            let n = ch.utf16.count
            if count + n > maxCharacters - 1 { break }
            out.append(ch)
            count += n
        }
        return out + "…"
    }
}

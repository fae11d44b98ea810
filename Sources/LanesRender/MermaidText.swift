/// Mermaid diagrams of traces: a `gantt` per run, `xychart-beta` bars for comparisons, a
/// `sequenceDiagram` of lock hand-offs and the "choosing the right model" `flowchart`. Each
/// function returns the diagram's text, without the Markdown fence.
public enum Mermaid {
    /// GitHub renders no diagram longer than this many characters: Mermaid's `maxTextSize`, counted
    /// as JavaScript does, in UTF-16 code units (`String.utf16.count`; an emoji is two or more).
    public static let maxDiagramCharacters = 50_000
    /// GitHub accepts no comment (or Markdown body) longer than this many characters, counted in
    /// UTF-16 code units.
    public static let maxCommentCharacters = 65_536
}

/// Turns user strings (span, lane, lock and run names) into text that Mermaid shows as written.
///
/// Mermaid reads its own entity codes, `#35;` (decimal) and `#quot;` (named), in every label; the
/// characters that end a label or start a comment are written that way: `:` ends a gantt task title,
/// `;` ends a statement, `#` starts an entity, `%%` a comment, quotes end quoted labels, and `<`, `>`
/// and `&` would be read as HTML. Control characters become spaces, empty names become
/// "(unnamed)", and a gantt task whose title starts with a keyword (`gantt`, `section`, `click`,
/// …) gets its first letter as an entity so the parser takes it as a title.
public enum MermaidText {
    /// Shown for names that are empty or only spaces.
    public static let unnamed = "(unnamed)"

    /// Longest label kept, in UTF-16 code units (what Mermaid's size limit counts); longer ones end
    /// in "…". A character is never cut in two, so a label may be a little shorter.
    public static let maxLabelCharacters = 80

    /// `text` as a Mermaid label: entity codes for the characters Mermaid would read, cut to
    /// `maxCharacters` UTF-16 code units (before the entity codes) with "…".
    public static func label(_ text: String, maxCharacters: Int = maxLabelCharacters) -> String {
        let cleaned = shown(text, maxCharacters: maxCharacters)
        var out = ""
        out.reserveCapacity(cleaned.utf8.count)
        for ch in cleaned {
            switch ch {
            case "#": out += "#35;"
            case ":": out += "#58;"
            case ";": out += "#59;"
            case "%": out += "#37;"
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "`": out += "#96;"
            case "\\": out += "#92;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Words that start a gantt statement; a task title must not begin with one.
    static let ganttKeywords = [
        "gantt", "section", "title", "click", "call", "href", "dateformat", "axisformat", "tickinterval", "includes",
        "excludes", "inclusiveenddates", "topaxis", "todaymarker", "weekday", "weekend", "acctitle", "accdescr",
        "displaymode",
    ]

    /// `text` as a gantt task title or section name.
    public static func ganttLabel(_ text: String, maxCharacters: Int = maxLabelCharacters) -> String {
        let l = label(text, maxCharacters: maxCharacters)
        let lower = l.lowercased()
        guard let first = l.unicodeScalars.first, ganttKeywords.contains(where: { lower.hasPrefix($0) }) else {
            return l
        }
        return "#\(first.value);" + String(l.unicodeScalars.dropFirst())
    }

    /// What Mermaid shows for a ``label(_:maxCharacters:)``: the entity codes decoded (test and
    /// expectation helper). At most `maxCharacters` UTF-16 code units, "…" included: a name of
    /// emoji or of one character with many combining marks cannot make a diagram too long.
    public static func shown(_ text: String, maxCharacters: Int = maxLabelCharacters) -> String {
        var cleaned = ""
        var count = 0
        var pendingSpace = false
        for ch in text {
            if ch.isWhitespace || ch.unicodeScalars.allSatisfy({ $0.value < 0x20 || $0.value == 0x7F }) {
                pendingSpace = count > 0
                continue
            }
            let space = pendingSpace ? 1 : 0
            if count + space + ch.utf16.count > maxCharacters - 1 {
                cleaned.append("…")
                break
            }
            if pendingSpace {
                cleaned.append(" ")
                pendingSpace = false
            }
            cleaned.append(ch)
            count += space + ch.utf16.count
        }
        return cleaned.isEmpty ? unnamed : cleaned
    }

    /// A Markdown table cell: `|` escaped, HTML characters as entities, one line.
    public static func markdownCell(_ text: String) -> String {
        markdownCell(text, maxCharacters: NameBound.prose)
    }

    /// ``markdownCell(_:)`` with `text` first cut to `maxCharacters` UTF-16 code units ("…" included).
    public static func markdownCell(_ text: String, maxCharacters: Int) -> String {
        var out = ""
        for ch in NameBound.cut(text, maxCharacters) {
            switch ch {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "`": out += "\\`"
            case "*", "_", "[", "]", "\\": out += "\\\(ch)"
            case "\n", "\r", "\t": out += " "
            default: out.append(ch)
            }
        }
        return out.isEmpty ? unnamed : out
    }
}

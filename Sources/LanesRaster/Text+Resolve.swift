#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds a font to draw with, falling back to ``BitmapTextRenderer`` so that
/// text can always be drawn.
public enum TextRenderers {
    /// The environment variable naming a font file to use.
    public static let environmentVariable = "LANES_FONT"

    /// Where DejaVu Sans is installed on common systems, tried in order.
    public static let systemFontPaths: [String] = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  // Debian, Ubuntu
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  // Fedora, RHEL
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",  // older Fedora, openSUSE
        "/usr/share/fonts/TTF/DejaVuSans.ttf",  // Arch
        "/usr/share/fonts/ttf-dejavu/DejaVuSans.ttf",  // Alpine
        "/usr/share/fonts/truetype/DejaVuSans.ttf",
        "/usr/local/share/fonts/DejaVuSans.ttf",  // FreeBSD, manual installs
        "/opt/homebrew/share/fonts/DejaVuSans.ttf",
        "/Library/Fonts/DejaVuSans.ttf",  // macOS
    ]

    /// The outcome of ``resolve(fontPath:environment:)``.
    public struct Resolution: Sendable {
        /// Where the font came from.
        public enum Source: Sendable, Equatable {
            /// The path passed to ``resolve(fontPath:environment:)``.
            case explicitPath(String)
            /// The path in `LANES_FONT`.
            case environment(String)
            /// One of ``systemFontPaths``.
            case system(String)
            /// The built-in bitmap font.
            case builtIn
        }

        /// The renderer to draw with.
        public let renderer: any TextRenderer
        /// Where it came from.
        public let source: Source
        /// Fonts that were asked for or tried and could not be used, one line
        /// each; report them once (empty when nothing went wrong).
        public let problems: [String]
    }

    /// Picks a font: `fontPath` if given (and the bitmap font if it cannot
    /// be used); otherwise `LANES_FONT` from `environment` (the process
    /// environment when nil), then the first of ``systemFontPaths`` that
    /// opens, then the bitmap font.
    public static func resolve(fontPath: String? = nil, environment: [String: String]? = nil) -> Resolution {
        var problems: [String] = []
        if let fontPath {
            do {
                return Resolution(
                    renderer: try FreeTypeTextRenderer(path: fontPath),
                    source: .explicitPath(fontPath), problems: [])
            } catch {
                problems.append("\(error.description); using the built-in bitmap font")
                return Resolution(renderer: BitmapTextRenderer(), source: .builtIn, problems: problems)
            }
        }
        let fromEnvironment = environment.map { $0[environmentVariable] } ?? processEnvironment(environmentVariable)
        if let path = fromEnvironment, !path.isEmpty {
            do {
                return Resolution(
                    renderer: try FreeTypeTextRenderer(path: path),
                    source: .environment(path), problems: [])
            } catch {
                problems.append("\(environmentVariable): \(error.description)")
            }
        }
        for path in systemFontPaths where fileExists(path) {
            do {
                return Resolution(
                    renderer: try FreeTypeTextRenderer(path: path),
                    source: .system(path), problems: problems)
            } catch {
                problems.append(error.description)
            }
        }
        problems.append("DejaVu Sans not found; using the built-in bitmap font")
        return Resolution(renderer: BitmapTextRenderer(), source: .builtIn, problems: problems)
    }

    private static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func fileExists(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }
}

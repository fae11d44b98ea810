extension HTMLReport {
    /// The page's CSS after the theme's variables (``themeStyle(_:)``): `Page/page.css`, embedded at build time.
    static let style = PageFiles.pageCSS
}

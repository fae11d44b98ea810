extension HTMLReport {
    /// The page's JavaScript (`Page/page.js`, embedded at build time): decodes the embedded runs (see
    /// ``HTMLRunData``), lays out the rows and draws the timeline on a canvas, handles zoom, pan, measure,
    /// hover, pin and search, and fills the panels. Strings from the trace only ever reach the page through
    /// `textContent` and `fillText`.
    static let script = PageFiles.pageJS
}

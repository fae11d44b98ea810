extension HTMLReport {
    /// The page's CSS after the theme's variables (``themeStyle(_:)``).
    static let style = """
        *{box-sizing:border-box}
        body{margin:0;padding:14px 18px 40px;background:var(--bg);color:var(--text);
          font:13px/1.4 "DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif}
        h1{font-size:19px;margin:0 0 4px}
        .sub,.hint,.empty,#range,#match-count{color:var(--text2)}
        .sub{margin:0 0 4px}
        #span-count{margin:0 0 8px;font-weight:600}
        #toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:6px 0;position:sticky;top:0;
          background:var(--bg);padding:4px 0;z-index:2}
        #toolbar input{width:220px;padding:3px 6px;background:var(--bg);color:var(--text);border:1px solid var(--grid)}
        button{background:var(--stripe);color:var(--text);border:1px solid var(--grid);border-radius:3px;padding:2px 9px;cursor:pointer}
        button:hover{border-color:var(--text2)}
        .hint{font-size:11px}
        #timeline-box{position:relative;border:1px solid var(--grid)}
        #timeline{overflow-x:hidden;overflow-y:auto;max-height:78vh}
        #chart{display:block;width:100%;cursor:crosshair;outline:none;position:sticky;top:0}
        #tooltip{position:absolute;pointer-events:none;max-width:420px;padding:6px 8px;border:1px solid var(--grid);
          background:var(--bg);color:var(--text);box-shadow:0 2px 8px rgba(0,0,0,.25);font-size:12px;z-index:3;white-space:pre-wrap}
        #tooltip b,#pinned b{display:block;font-size:13px;margin-bottom:2px;word-break:break-all}
        #pinned{margin:8px 0;padding:8px 10px;border:1px solid var(--grid);background:var(--stripe);white-space:pre-wrap;font-size:12px}
        #pinned button{float:right}
        .k{color:var(--text2)}
        #legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0;font-size:12px}
        #legend span{display:inline-flex;align-items:center;gap:5px}
        #legend canvas{border:1px solid var(--grid)}
        .panel{margin:10px 0;border-top:1px solid var(--grid);padding-top:6px}
        .panel summary{font-weight:600;font-size:14px;cursor:pointer;margin-bottom:6px}
        .panel h3{font-size:13px;margin:10px 0 4px}
        table{border-collapse:collapse;font-size:12px;margin:4px 0 8px}
        th,td{padding:2px 10px 2px 0;text-align:right;border-bottom:1px solid var(--stripe);white-space:nowrap}
        th{color:var(--text2);font-weight:600;border-bottom-color:var(--grid)}
        th:first-child,td:first-child{text-align:left;max-width:420px;overflow:hidden;text-overflow:ellipsis}
        .finding{margin:6px 0;padding:6px 10px;border-left:4px solid var(--grid);background:var(--stripe)}
        .finding.warning{border-left-color:#e69f00}
        .finding.critical{border-left-color:#c0392b}
        #png{max-width:100%;border:1px solid var(--grid)}
        #mermaid{padding:8px;background:var(--stripe);border:1px solid var(--grid);overflow:auto;max-height:420px}
        """
}

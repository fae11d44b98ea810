import LanesAnalysis

extension Mermaid {
    /// The nodes of the decision flowchart: id, label, and whether it is a question.
    static let decisionNodes: [(DecisionNode, String, Bool)] = [
        (.start, "What is the bottleneck?", false),
        (.bottleneck, "I/O-bound or CPU-bound?", true),
        (.concurrency, "How many concurrent operations?", true),
        (.threads, "Threads / Dispatch queue", false),
        (.async, "async tasks (TaskGroup)", false),
        (.parallelCPU, "Threads in parallel, or worker processes (Python: processes)", false),
        (.hybrid, "async orchestration + worker-process pool", false),
    ]

    /// The edges, in the order `linkStyle` numbers them.
    static let decisionEdges: [(DecisionNode, DecisionNode, String?)] = [
        (.start, .bottleneck, nil),
        (.bottleneck, .concurrency, "I/O-bound"),
        (.concurrency, .threads, "Tens"),
        (.concurrency, .async, "Hundreds to thousands"),
        (.bottleneck, .parallelCPU, "CPU-bound"),
        (.bottleneck, .hybrid, "Both"),
    ]

    /// The label of each decision node as Mermaid shows it.
    public static func decisionLabel(_ node: DecisionNode) -> String {
        decisionNodes.first { $0.0 == node }?.1 ?? node.rawValue
    }

    /// The seed's "choosing the right model" flowchart, adapted to Swift, with the nodes of `path`
    /// and the edges between consecutive ones highlighted (class `taken`) and the rest dimmed.
    public static func decisionFlowchart(path: [DecisionNode], title: String? = nil) -> String {
        var text = ""
        if let title { text += "---\ntitle: \(MermaidText.label(title, maxCharacters: 160))\n---\n" }
        text += "flowchart TD\n"
        for (node, label, question) in decisionNodes {
            let l = MermaidText.label(label)
            text += question ? "    \(node.rawValue){\"\(l)\"}\n" : "    \(node.rawValue)[\"\(l)\"]\n"
        }
        var takenEdges: [Int] = []
        for (i, (from, to, label)) in decisionEdges.enumerated() {
            text += "    \(from.rawValue) --"
            if let label { text += " \"\(MermaidText.label(label))\" --" }
            text += "> \(to.rawValue)\n"
            if zip(path, path.dropFirst()).contains(where: { $0 == from && $1 == to }) { takenEdges.append(i) }
        }
        text += "    classDef taken fill:#0072B2,stroke:#003f63,color:#ffffff,stroke-width:3px\n"
        text += "    classDef other fill:#f4f4f4,stroke:#bbbbbb,color:#555555\n"
        var seen = Set<DecisionNode>()
        let taken = path.filter { seen.insert($0).inserted }
        let others = DecisionNode.allCases.filter { !seen.contains($0) }
        if !taken.isEmpty { text += "    class \(taken.map(\.rawValue).joined(separator: ",")) taken\n" }
        if !others.isEmpty { text += "    class \(others.map(\.rawValue).joined(separator: ",")) other\n" }
        if !takenEdges.isEmpty {
            text +=
                "    linkStyle \(takenEdges.map(String.init).joined(separator: ",")) stroke:#0072B2,stroke-width:4px\n"
        }
        return text
    }
}

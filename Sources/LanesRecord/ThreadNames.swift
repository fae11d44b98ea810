/// Thread names as the kernel keeps them, given back in full where the whole name is known.
///
/// Linux keeps 15 bytes of a thread's name. libdispatch names its worker threads after their root queue's label
/// and the kernel keeps the label's end, so a Dispatch worker reads `oot.default-qos`; a chart that shows that
/// name tells a Dispatch user nothing.
enum ThreadNames {
    /// libdispatch's root queue labels.
    static let dispatchRootLabels: [String] = [
        "maintenance", "background", "utility", "default", "user-initiated", "user-interactive",
    ].flatMap { ["com.apple.root.\($0)-qos", "com.apple.root.\($0)-qos.overcommit"] }

    /// `name`, or the one root queue label it is the kernel's cut of.
    static func expanded(_ name: String) -> String {
        guard name.utf8.count == 15 else { return name }
        let matches = dispatchRootLabels.filter { $0.hasSuffix(name) || $0.hasPrefix(name) }
        return matches.count == 1 ? matches[0] : name
    }
}

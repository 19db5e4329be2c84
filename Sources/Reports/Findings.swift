/// The findings table every subcommand ends with; "no findings" when there are none.
public func findingsTable(_ findings: [(Severity, String, String)], color: Bool = Terminal.isColorful) -> String {
    guard !findings.isEmpty else { return Terminal.paint("no findings", severity: .ok, bold: false, color: color) }
    var table = TextTable(headers: ["SEVERITY", "RULE", "FINDING"])
    for (severity, rule, message) in findings.sorted(by: { $0.0 > $1.0 }) {
        table.add([TextTable.Cell(severity.description.uppercased(), severity: severity), TextTable.Cell(rule), TextTable.Cell(message)])
    }
    return table.render(color: color)
}

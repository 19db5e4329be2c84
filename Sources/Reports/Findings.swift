/// The findings table every subcommand ends with; "no findings" when there are none.
/// A finding's fix, when it has one, follows its message after "→".
public func findingsTable(
    _ findings: [Finding], showSubject: Bool = false, subjectHeader: String = "MOUNT",
    color: Bool = Terminal.isColorful
) -> String {
    guard !findings.isEmpty else { return Terminal.paint("no findings", severity: .ok, bold: false, color: color) }
    var table = TextTable(
        headers: showSubject ? ["SEVERITY", subjectHeader, "RULE", "FINDING"] : ["SEVERITY", "RULE", "FINDING"])
    for finding in findings.sorted(by: { $0.severity > $1.severity }) {
        var text = finding.message
        if let fix = finding.fix { text += " → " + fix }
        var cells = [TextTable.Cell(finding.severity.description.uppercased(), severity: finding.severity)]
        if showSubject { cells.append(TextTable.Cell(finding.subject ?? "")) }
        cells += [TextTable.Cell(finding.rule.rawValue), TextTable.Cell(text)]
        table.add(cells)
    }
    return table.render(color: color)
}

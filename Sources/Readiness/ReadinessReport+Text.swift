import PositConfig
import Reports

extension ReadinessReport {
    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var blocks: [String] = []
        for p in products {
            let user = p.serviceUID.map { "\(p.serviceUser) (\($0):\(p.serviceGID ?? 0))" }
                ?? "\(p.serviceUser) (missing)"
            let heading = Terminal.paint(p.product.name + " " + (p.version ?? "(version unknown)"), severity: nil,
                                         bold: true, color: color)
            var facts = [("Service user", TextTable.Cell(user))]
            for t in p.writeTrials {
                guard let result = t.result else { continue }
                let text = result.rawValue + (t.detail.map { " (\($0))" } ?? "")
                facts.append(("Writes \(t.setting)", TextTable.Cell(text, severity: result.severity)))
            }
            var block = heading + "\n" + keyValueBlock(facts, color: color)
            if !p.placements.isEmpty {
                var table = TextTable(headers: ["SETTING", "PATH", "LIVES ON"])
                for placement in p.placements {
                    let on = placement.shared ? "NFS \(placement.source ?? "")"
                        : "local \(placement.mountPoint ?? "/") (\(placement.fsType ?? "?"))"
                    table.add([TextTable.Cell(placement.setting), TextTable.Cell(placement.path), TextTable.Cell(on)])
                }
                block += "\n\n" + table.render(color: color)
            }
            blocks.append(block)
        }
        blocks.append(findingsTable(findings, color: color))
        blocks.append("Status: " + Terminal.paint(severity.description.uppercased(), severity: severity, bold: true,
                                                  color: color))
        return blocks.joined(separator: "\n\n")
    }
}

extension CardinalityReport {
    /// A terminal table for `tributary cardinality`: a summary line, then one row per metric.
    ///
    /// ```text
    /// 1,002 series in 2 metric names (no overall budget)
    /// METRIC              TYPE     SERIES  BUDGET     LIMITED  LABELS (distinct values: examples)
    /// api_requests_total  counter  1,000   1,000 rule     250  user_id 1,000: u1, u10, u100, …; env 1: prod
    /// ```
    package var table: String {
        var out = "\(Self.grouped(self.totalSeries)) series in \(Self.grouped(self.metricNames)) metric names"
        out +=
            self.maxSeries > 0
            ? " (budget \(Self.grouped(self.maxSeries)), overflow: \(self.overflow))\n" : " (no overall budget)\n"
        if self.metrics.isEmpty { return out + "no series yet\n" }
        let header = ["METRIC", "TYPE", "SERIES", "BUDGET", "LIMITED", "LABELS (distinct values: examples)"]
        let rows = self.metrics.map { metric in
            [
                metric.name, metric.type, Self.grouped(metric.series),
                metric.budget > 0 ? "\(Self.grouped(metric.budget)) \(metric.budgetSource)" : "none",
                Self.grouped(Int(clamping: metric.limitedSamples)),
                metric.labels.map { label in
                    let more = label.distinctValues > label.exampleValues.count ? ", …" : ""
                    return "\(label.name) \(Self.grouped(label.distinctValues)): "
                        + label.exampleValues.joined(separator: ", ") + more
                }.joined(separator: "; "),
            ]
        }
        let all = [header] + rows
        let widths = (0..<header.count - 1).map { column in all.map { $0[column].count }.max() ?? 0 }
        let rightAligned: Set<Int> = [2, 4]
        for row in all {
            var line = ""
            for (column, cell) in row.enumerated() {
                guard column < widths.count else {
                    line += cell
                    continue
                }
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                line += (rightAligned.contains(column) ? padding + cell : cell + padding) + "  "
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        if self.metrics.count < self.metricNames {
            out += "(the \(self.metrics.count) largest of \(Self.grouped(self.metricNames)); --limit shows more)\n"
        }
        return out
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}

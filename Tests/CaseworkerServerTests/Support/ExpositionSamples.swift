/// The samples of a Prometheus text exposition, read just enough for in-process assertions
/// (names, quoted label values with escapes, numeric values). The end-to-end test checks the
/// format itself with the real parser of `prometheus_client`.
struct ExpositionSamples {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]
    /// `# TYPE` lines: family name → type.
    let types: [String: String]

    init(_ text: String) {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") { continue }
            if let sample = Self.parse(Substring(line)) { samples.append(sample) }
        }
        self.samples = samples
        self.types = types
    }

    /// The value of the one sample named `name` whose labels include `labels`; `nil` if none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    /// Every sample named `name`.
    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    private static func parse(_ line: Substring) -> Sample? {
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while let first = rest.first, first != "}" {
                if first == "," { rest = rest.dropFirst(); continue }
                let key = rest.prefix { $0 != "=" }
                rest = rest.dropFirst(key.count + 1)
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        rest = rest.dropFirst()
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                rest = rest.dropFirst()
                labels[String(key)] = value
            }
            rest = rest.dropFirst()
        }
        guard let value = Double(rest.trimmingPrefix(" ").prefix { $0 != " " }) else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }
}

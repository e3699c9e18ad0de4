import CaseworkerCore

/// A definition drawn as an inline SVG: its main steps top to bottom (then the rescue steps),
/// each followed by the next, and jumps (`next` rules naming a step) as arcs on the right. The
/// steps a run took are drawn with a thick border and a check mark, the current one with a
/// triangle, so the drawing reads without colour too. Inline branches are listed inside their
/// step's box by count only.
enum DefinitionGraphSVG {
    static let boxWidth = 260, boxHeight = 36, gap = 20, left = 10

    static func draw(_ definition: WorkflowDefinition, taken: Set<String>, current: String?) -> HTML {
        let steps = definition.steps + definition.rescue
        guard !steps.isEmpty else { return "" }
        var index: [String: Int] = [:]
        for (i, step) in steps.enumerated() where index[step.id] == nil { index[step.id] = i }
        func top(_ i: Int) -> Int { 10 + i * (boxHeight + gap) + (i >= definition.steps.count ? gap : 0) }
        var parts: [HTML] = []
        var arcs = 0
        for (i, step) in steps.enumerated() {
            let y = top(i)
            let isTaken = taken.contains(step.id), isCurrent = step.id == current
            let mark = isCurrent ? "▶ " : (isTaken ? "✓ " : "")
            let branches = step.next.filter { if case .steps = $0.target { true } else { false } }.count
            let label = "\(mark)\(step.id) · \(step.action.rawValue)" + (branches > 0 ? " (+\(branches) branch)" : "")
            let cls = isCurrent ? "step current" : (isTaken ? "step taken" : "step")
            parts.append(
                """
                <g class="\(cls)"><title>\(step.name ?? step.id)</title><rect x="\(left)" y="\(y)" width="\(boxWidth)" height="\(boxHeight)" rx="4"></rect>\
                <text x="\(left + 10)" y="\(y + 23)">\(label)</text></g>
                """)
            if i + 1 < steps.count, i + 1 != definition.steps.count, !step.action.endsRun {
                let x = left + boxWidth / 2
                parts.append(#"<line class="edge" x1="\#(x)" y1="\#(y + boxHeight)" x2="\#(x)" y2="\#(top(i + 1))" marker-end="url(#arrow)"></line>"#)
            }
            for rule in step.next {
                guard case .step(let target) = rule.target, let j = index[target] else { continue }
                arcs += 1
                let x = left + boxWidth, bend = x + 20 + 12 * (arcs % 8)
                let y1 = y + boxHeight / 2, y2 = top(j) + boxHeight / 2
                parts.append(
                    #"<path class="jump" d="M\#(x) \#(y1) C\#(bend) \#(y1) \#(bend) \#(y2) \#(x) \#(y2)" marker-end="url(#arrow)"></path>"#)
            }
        }
        let height = top(steps.count - 1) + boxHeight + 10
        return """
            <svg class="graph" role="img" aria-label="The definition's steps; taken steps are marked with a check, the current one with a triangle" \
            width="\(left + boxWidth + 130)" height="\(height)" viewBox="0 0 \(left + boxWidth + 130) \(height)" xmlns="http://www.w3.org/2000/svg">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">\
            <path d="M 0 0 L 10 5 L 0 10 z"></path></marker></defs>\(parts)</svg>
            """
    }
}

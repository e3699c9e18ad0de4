import Hummingbird

/// The stylesheet and the one script of the dashboard, embedded in the binary. The script only
/// reloads the page of an active run every few seconds, unless a form on it is being filled in:
/// every page works without it.
enum Assets {
    static func register(on ui: RouterGroup<DashboardContext>) {
        ui.get("assets/style.css") { _, _ in asset(stylesheet, type: "text/css; charset=utf-8") }
        ui.get("assets/refresh.js") { _, _ in asset(refreshScript, type: "text/javascript; charset=utf-8") }
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let refreshScript = """
        setInterval(function () {
          var active = document.activeElement;
          if (!active || !active.form) { location.reload(); }
        }, 3000);
        """

    static let stylesheet = """
        :root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --accent: #0b57d0; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        header nav { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
        nav .brand { font-weight: 700; }
        nav .who { margin-left: auto; color: var(--muted); }
        main { padding: 1rem 1.2rem; max-width: 80rem; }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f0b400; outline-offset: 1px; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; }
        pre.json { background: #f6f8fa; padding: .5rem; overflow: auto; max-height: 24rem; margin: 0; }
        .status { font-weight: 600; padding: 0 .3rem; border: 1px solid; border-radius: 3px; }
        .status-completed { color: #116329; } .status-failed, .status-timed_out { color: #a40e26; } .status-cancelled { color: #57606a; }
        .status-running, .status-pending, .status-waiting { color: #0b57d0; }
        form.inline { display: inline; }
        form.filters, form.login { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
        form.filters label, form.login label { display: flex; flex-direction: column; font-size: .9rem; }
        .error { color: #a40e26; font-weight: 600; }
        .hint { color: var(--muted); }
        dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        dl.fields dt { font-weight: 600; }
        pre.diff del { color: #a40e26; text-decoration: none; background: #ffebe9; display: block; }
        pre.diff ins { color: #116329; text-decoration: none; background: #dafbe1; display: block; }
        pre.diff .same { display: block; }
        svg.graph .step rect { fill: #fff; stroke: #57606a; stroke-width: 1; }
        svg.graph .step.taken rect { stroke: #116329; stroke-width: 3; }
        svg.graph .step.current rect { stroke: #0b57d0; stroke-width: 4; fill: #eef4ff; }
        svg.graph text { font: 13px system-ui, sans-serif; fill: #1b1f24; }
        svg.graph .edge, svg.graph .jump { stroke: #57606a; fill: none; }
        svg.graph .jump { stroke-dasharray: 4 3; }
        svg.bars rect.completed { fill: #2da44e; } svg.bars rect.failed { fill: #cf222e; } svg.bars rect.other { fill: #8c959f; }
        svg.bars text { font: 11px system-ui, sans-serif; fill: #57606a; }
        fieldset { border: 1px solid var(--line); margin: 1rem 0; }
        textarea { width: 100%; font: 13px ui-monospace, monospace; }
        button { font: inherit; padding: .2rem .7rem; }
        """
}

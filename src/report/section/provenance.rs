//! Provenance: what the run was and what every variant really loaded, so a
//! reader can tell which files a figure belongs to and repeat the run.

use super::Page;
use crate::provenance::{LoadedObject, Provenance};
use crate::report::Esc;
use crate::results::{Document, VariantRecord};
use std::fmt::Write;

pub fn render(page: &Page, out: &mut String) {
    let doc = page.doc;
    let h = &doc.host;
    let _ = writeln!(
        out,
        "<section id=\"provenance\">\n<h2>Provenance</h2>\n<h3>Run</h3>\n<dl class=\"facts\">"
    );
    let command: Vec<String> = doc.command_line.iter().map(|a| shell_quote(a)).collect();
    let facts: [(&str, String); 12] = [
        (
            "Command",
            format!("<code class=\"command\">{}</code>", Esc(&command.join(" "))),
        ),
        (
            "Tool",
            format!("{} {}", Esc(&doc.tool.name), Esc(&doc.tool.version)),
        ),
        ("Schema", Esc(&doc.schema).to_string()),
        ("Started", Esc(&doc.started).to_string()),
        ("Seed", doc.seed.to_string()),
        (
            "Rounds",
            format!(
                "{} × {:.2} s per benchmark and variant, timeout {:.0} s",
                doc.settings.rounds, doc.settings.slice_seconds, doc.settings.timeout_seconds
            ),
        ),
        ("Host", Esc(&h.hostname).to_string()),
        ("Kernel", Esc(&h.kernel).to_string()),
        ("CPU", format!("{} ({} CPUs)", Esc(&h.cpu_model), h.cpus)),
        (
            "Memory",
            format!("{:.1} GiB", h.memory_bytes as f64 / f64::from(1u32 << 30)),
        ),
        (
            "Governor",
            Esc(h.governor.as_deref().unwrap_or("unknown")).to_string(),
        ),
        (
            "CPU flags",
            format!(
                "<span class=\"flags\">{}</span>",
                Esc(&h.cpu_flags.join(" "))
            ),
        ),
    ];
    for (k, v) in facts {
        let _ = writeln!(out, "<dt>{k}</dt><dd>{v}</dd>");
    }
    let _ = writeln!(out, "</dl>");
    if !doc.corpora.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Corpora</h3>\n<table class=\"corpora\">\n<thead><tr><th>Name</th><th>Bytes</th><th>SHA-256</th><th>Source</th></tr></thead>\n<tbody>"
        );
        for c in &doc.corpora {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"hash\">{}</td><td>{}</td></tr>",
                Esc(&c.name),
                c.bytes,
                Esc(&c.sha256),
                Esc(&c.source)
            );
        }
        let _ = writeln!(out, "</tbody>\n</table>");
    }
    for rec in &doc.variants {
        variant(rec, doc, out);
    }
    let _ = writeln!(out, "</section>");
}

fn variant(rec: &VariantRecord, doc: &Document, out: &mut String) {
    let v = &rec.variant;
    let _ = writeln!(
        out,
        "<section class=\"variant\">\n<h3>Variant <code>{}</code></h3>",
        Esc(&v.name)
    );
    if let Some(d) = &v.description {
        let _ = writeln!(out, "<p>{}</p>", Esc(d));
    }
    for other in &rec.same_files_as {
        let _ = writeln!(
            out,
            "<p class=\"alert aa\"><strong>A/A:</strong> byte-identical libraries to <code>{}</code>.</p>",
            Esc(other)
        );
    }
    let _ = writeln!(out, "<dl class=\"facts\">");
    let paths = |ps: &[std::path::PathBuf]| {
        if ps.is_empty() {
            "<span class=\"dim\">none: the loader's own choice</span>".to_string()
        } else {
            ps.iter()
                .map(|p| format!("<code>{}</code>", Esc(&p.to_string_lossy())))
                .collect::<Vec<_>>()
                .join("<br>")
        }
    };
    // A probe observes running processes: it has figures but no worker.
    let no_worker = if doc.results.iter().any(|r| r.variant == v.name) {
        (
            "note",
            "No worker: these figures come from observing running processes, so there is no library provenance.",
        )
    } else {
        ("bad", "No worker started: nothing was loaded or measured.")
    };
    let _ = writeln!(out, "<dt>Roots</dt><dd>{}</dd>", paths(&v.roots));
    let _ = writeln!(out, "<dt>Library path</dt><dd>{}</dd>", paths(&v.lib_dirs));
    if !v.env.is_empty() {
        let env: Vec<String> = v
            .env
            .iter()
            .map(|(k, val)| format!("<code>{}={}</code>", Esc(k), Esc(val)))
            .collect();
        let _ = writeln!(out, "<dt>Environment</dt><dd>{}</dd>", env.join("<br>"));
    }
    let _ = writeln!(out, "</dl>");
    let Some(p) = &rec.provenance else {
        let _ = writeln!(
            out,
            "<p class=\"alert {}\">{}</p>\n</section>",
            no_worker.0, no_worker.1
        );
        return;
    };
    loaded(p, out);
    let _ = writeln!(out, "</section>");
}

/// What the worker loaded: the benchmarked libraries, then every mapped object.
fn loaded(p: &Provenance, out: &mut String) {
    let _ = writeln!(
        out,
        "<table class=\"libraries\">\n<caption>Benchmarked libraries, as the worker loaded them</caption>\n\
         <thead><tr><th>Library</th><th>Version</th><th>File</th><th>Store path</th><th>SHA-256</th><th>Bytes</th></tr></thead>\n<tbody>"
    );
    for lib in &p.libraries {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td>{}</tr>",
            lib.library.name(),
            Esc(lib.version.as_deref().unwrap_or("–")),
            object_cells(&lib.object)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let _ = writeln!(
        out,
        "<details><summary>All {} shared objects mapped into the worker</summary>\n<table class=\"objects\">\n\
         <thead><tr><th>File</th><th>Store path</th><th>SHA-256</th><th>Bytes</th></tr></thead>\n<tbody>",
        p.objects.len()
    );
    for o in &p.objects {
        let _ = writeln!(out, "<tr>{}</tr>", object_cells(o));
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</details>");
    if let Some(c) = &p.code_path {
        let _ = writeln!(out, "<h4>Code path: what the libraries chose at run time and were built for</h4>\n<ul class=\"codepath\">");
        for line in c.lines() {
            let _ = writeln!(out, "<li>{}</li>", Esc(&line));
        }
        let _ = writeln!(out, "</ul>");
    }
}

fn object_cells(o: &LoadedObject) -> String {
    let file = if o.path == o.real_path {
        format!("<code>{}</code>", Esc(&o.real_path.to_string_lossy()))
    } else {
        format!(
            "<code>{}</code><div class=\"dim\">→ <code>{}</code></div>",
            Esc(&o.path.to_string_lossy()),
            Esc(&o.real_path.to_string_lossy())
        )
    };
    let store = match o.store_path.as_deref() {
        Some(p) => format!("<code>{}</code>", Esc(&p.to_string_lossy())),
        None => "<span class=\"dim\">not in a Nix store</span>".into(),
    };
    format!(
        "<td>{file}</td><td>{store}</td><td class=\"hash\">{}</td><td class=\"num\">{}</td>",
        Esc(&o.sha256),
        o.bytes
    )
}

/// An argument as a POSIX shell would need it, so the command line can be
/// pasted back.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn command_lines_can_be_pasted_back() {
        assert_eq!(shell_quote("--rounds=3"), "--rounds=3");
        assert_eq!(shell_quote("<script>=/x"), "'<script>=/x'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}

//! One source file as the parse stage reads it: UTF-8 check, front-matter split, YAML into the
//! service model (with every problem located), the Markdown facts; and the same bytes as
//! each other tool's file opsbook imports (Backstage, Datadog, OpsLevel, Cortex, Compass,
//! CODEOWNERS, Compose, Kubernetes). Nothing here may panic, and every diagnostic must print.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use opsbook::config::{self, ImportFormat};
use opsbook::deserialize::Segment;
use opsbook::diag::Diagnostics;
use opsbook::parse::{self, Parsed};
use opsbook::source::{FileKind, SourceFile};

fuzz_target!(|bytes: &[u8]| {
    let config = config::from_text(Path::new("/fuzz"), "", &mut Diagnostics::new());
    for (kind, relative) in [
        (FileKind::Markdown, "fuzz/service.md"),
        (
            FileKind::Foreign(ImportFormat::Backstage),
            "fuzz/catalog-info.yaml",
        ),
        (
            FileKind::Foreign(ImportFormat::Datadog),
            "fuzz/service.datadog.yaml",
        ),
        (FileKind::Foreign(ImportFormat::OpsLevel), "fuzz/opslevel.yml"),
        (FileKind::Foreign(ImportFormat::Cortex), "fuzz/cortex.yaml"),
        (FileKind::Foreign(ImportFormat::Compass), "fuzz/compass.yml"),
        (FileKind::Foreign(ImportFormat::CodeOwners), "CODEOWNERS"),
        (FileKind::Foreign(ImportFormat::Compose), "fuzz/compose.yaml"),
        (FileKind::Foreign(ImportFormat::Kubernetes), "fuzz/deploy.yaml"),
    ] {
        let file = SourceFile {
            display_path: format!("services/{relative}").into(),
            source_index: 0,
            relative: relative.into(),
            kind,
            bytes: bytes.to_vec(),
        };
        let mut diagnostics = Diagnostics::new();
        let parsed = match kind {
            FileKind::Foreign(format) => {
                let _ = opsbook::import::read(&file, format, &config, &mut diagnostics);
                None
            }
            _ => parse::parse(&file, &mut diagnostics),
        };
        for diagnostic in diagnostics.sorted() {
            let _ = diagnostic.to_string();
        }
        // Later stages locate their problems in the front matter by path: keys that exist,
        // keys that do not, and indices past the end must all give a position.
        if let Some(Parsed::Service(service)) = parsed {
            for path in [
                vec![Segment::Key("service".into())],
                vec![Segment::Key("owner".into()), Segment::Key("team".into())],
                vec![Segment::Key("depends_on".into()), Segment::Index(3)],
                vec![
                    Segment::Key("monitoring".into()),
                    Segment::Key("alerts".into()),
                    Segment::Index(0),
                    Segment::Key("name".into()),
                ],
            ] {
                let _ = service.locate(&path, true);
                let _ = service.locate(&path, false);
            }
        }
    }
});

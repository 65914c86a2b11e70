//! The corpus suite: opsbook on real third-party data (see the corpora folder's README for
//! what each corpus is and its licence). The data is not part of this repository: the suite
//! runs when `OPSBOOK_CORPORA` names the folder that holds it (`.ci/run` sets it where CI
//! keeps the corpora); otherwise it lists every test as ignored and says why.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Trial};

#[allow(dead_code)]
#[path = "../integration/harness.rs"]
mod harness;

#[path = "../integration/catalog_reading.rs"]
mod catalog_reading;

/// A corpus test: given the corpora folder, it panics on a failure.
type CorpusTest = fn(&Path);

/// Every corpus test, by name.
const TESTS: &[(&str, CorpusTest)] = &[(
    "backstage_example_catalog_becomes_services_with_owners_and_dependencies",
    backstage_example_catalog,
)];

fn backstage_example_catalog(corpora: &Path) {
    catalog_reading::assert_catalog_read_faithfully(
        &corpora.join("backstage-examples/packages/catalog-model/examples"),
        "wayback-search",
    );
}

fn main() {
    let arguments = Arguments::from_args();
    let corpora = std::env::var_os("OPSBOOK_CORPORA").map(PathBuf::from);
    match &corpora {
        Some(folder) => eprintln!(
            "corpus suite: {} corpus tests on the data in {}",
            TESTS.len(),
            folder.display()
        ),
        None => eprintln!(
            "corpus suite: {} corpus tests skipped: OPSBOOK_CORPORA is not set (set it to the folder of corpora to run them)",
            TESTS.len()
        ),
    }
    let trials = TESTS
        .iter()
        .map(|&(name, test)| {
            let folder = corpora.clone().unwrap_or_default();
            Trial::test(name, move || {
                if !folder.is_dir() {
                    return Err(
                        format!("OPSBOOK_CORPORA: {} is not a folder", folder.display()).into(),
                    );
                }
                test(&folder);
                Ok(())
            })
            .with_ignored_flag(corpora.is_none())
        })
        .collect();
    libtest_mimic::run(&arguments, trials).exit();
}

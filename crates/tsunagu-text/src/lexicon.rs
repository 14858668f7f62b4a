//! The domain data of `dictionaries/`: the lindera user dictionary, synonym
//! groups and per-category search keywords.
//!
//! The files are data, not code: a deployment may point `TSUNAGU_DICTIONARIES`
//! (or `--dictionaries`) at its own copy. When none is given, `./dictionaries`
//! is used if present, else the copies compiled into the binary, so the tool
//! works from any directory.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use tsunagu_model::Category;

use crate::error::TextError;
use crate::normalize::is_kana;
use crate::sudachi::{self, SudachiSynonyms, vocabulary_key};

const EMBEDDED_USER: &str = include_str!("../../../dictionaries/user.csv");
const EMBEDDED_SYNONYMS: &str = include_str!("../../../dictionaries/synonyms.tsv");
const EMBEDDED_CATEGORIES: &str = include_str!("../../../dictionaries/categories.tsv");
const EMBEDDED_NEEDS: &str = include_str!("../../../dictionaries/needs.tsv");
const EMBEDDED_QUERY: &str = include_str!("../../../dictionaries/query.tsv");

pub const USER_FILE: &str = "user.csv";
pub const SYNONYMS_FILE: &str = "synonyms.tsv";
pub const CATEGORIES_FILE: &str = "categories.tsv";
pub const NEEDS_FILE: &str = "needs.tsv";
pub const QUERY_FILE: &str = "query.tsv";

/// One user-dictionary entry (simple lindera format: surface, 品詞, reading).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWord {
    pub surface: String,
    pub pos: String,
    pub reading: String,
}

/// Groups of interchangeable terms, as written (not yet analysed).
#[derive(Debug, Clone, Default)]
pub struct SynonymGroups {
    pub groups: Vec<Vec<String>>,
}

/// The loaded data files.
#[derive(Debug, Clone)]
pub struct Lexicon {
    /// Where the files came from, for messages.
    pub origin: String,
    pub user_csv: String,
    pub user_words: Vec<UserWord>,
    pub synonyms: SynonymGroups,
    pub category_keywords: BTreeMap<Category, Vec<String>>,
    /// need phrases (needs.tsv), compiled by tsunagu-match.
    pub needs_tsv: String,
    /// The words of query understanding (query.tsv), compiled by the engine.
    pub query_tsv: String,
    /// The optional second synonym source, the Sudachi 同義語辞書, filtered
    /// (crate::sudachi). Query-side only: it shapes no indexed term.
    pub sudachi: Option<SudachiSynonyms>,
}

/// A problem found by [`Lexicon::check`]; errors fail `tsunagu dict check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconIssue {
    pub file: &'static str,
    pub line: usize,
    pub error: bool,
    pub message: String,
}

impl std::fmt::Display for LexiconIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = if self.error { "error" } else { "warning" };
        write!(
            f,
            "{level}: dictionaries/{}:{}: {}",
            self.file, self.line, self.message
        )
    }
}

impl Lexicon {
    /// The copies compiled into the binary.
    pub fn embedded() -> Result<Lexicon, TextError> {
        let mut lex = Self::parse(
            "built-in",
            EMBEDDED_USER,
            EMBEDDED_SYNONYMS,
            EMBEDDED_CATEGORIES,
        )?;
        lex.needs_tsv = EMBEDDED_NEEDS.to_string();
        lex.query_tsv = EMBEDDED_QUERY.to_string();
        Ok(lex)
    }

    /// Reads the three files from `dir`.
    pub fn from_dir(dir: &Path) -> Result<Lexicon, TextError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| TextError::Io { path, source })
        };
        let mut lex = Self::parse(
            &dir.display().to_string(),
            &read(USER_FILE)?,
            &read(SYNONYMS_FILE)?,
            &read(CATEGORIES_FILE)?,
        )?;
        lex.needs_tsv = read(NEEDS_FILE)?;
        lex.query_tsv = read(QUERY_FILE)?;
        Ok(lex)
    }

    /// Explicit directory, else `TSUNAGU_DICTIONARIES`, else `./dictionaries`
    /// when it exists, else the built-in copies; then the Sudachi synonyms
    /// of [`sudachi::locate_file`] when there are any.
    pub fn locate(explicit: Option<&Path>) -> Result<Lexicon, TextError> {
        let dir = match (explicit, std::env::var_os("TSUNAGU_DICTIONARIES")) {
            (Some(dir), _) => Some(dir.to_path_buf()),
            (None, Some(dir)) => Some(PathBuf::from(dir)),
            (None, None) => {
                let local = Path::new("dictionaries");
                local.join(USER_FILE).is_file().then(|| local.to_path_buf())
            }
        };
        let mut lex = match &dir {
            Some(dir) => Self::from_dir(dir)?,
            None => Self::embedded()?,
        };
        if let Some(path) = sudachi::locate_file(dir.as_deref()) {
            lex.load_sudachi(&path, &HashSet::new())?;
        }
        Ok(lex)
    }

    /// Loads the Sudachi synonyms at `path` as the second synonym source,
    /// keeping the groups that touch the domain vocabulary
    /// ([`Lexicon::domain_vocabulary`]) or `extra_vocabulary` (words, in any
    /// spelling; e.g. the terms of the indexed records).
    pub fn load_sudachi(
        &mut self,
        path: &Path,
        extra_vocabulary: &HashSet<String>,
    ) -> Result<(), TextError> {
        let vocabulary = self.sudachi_vocabulary(extra_vocabulary);
        self.sudachi = Some(SudachiSynonyms::load(path, &vocabulary)?);
        Ok(())
    }

    /// Like [`Lexicon::load_sudachi`], from the text of a file.
    pub fn parse_sudachi(&mut self, origin: &str, text: &str, extra_vocabulary: &HashSet<String>) {
        let vocabulary = self.sudachi_vocabulary(extra_vocabulary);
        self.sudachi = Some(SudachiSynonyms::parse(origin, text, &vocabulary));
    }

    fn sudachi_vocabulary(&self, extra: &HashSet<String>) -> HashSet<String> {
        let mut vocabulary = self.domain_vocabulary();
        vocabulary.extend(extra.iter().map(|w| vocabulary_key(w)));
        vocabulary
    }

    /// The words of the domain dictionaries, as [`vocabulary_key`]s: every
    /// term of synonyms.tsv, every category keyword, every user-dictionary
    /// surface and every word of a needs.tsv pattern (`[囲碁]` as 囲碁).
    pub fn domain_vocabulary(&self) -> HashSet<String> {
        let mut words: HashSet<String> = HashSet::new();
        let mut add = |w: &str| {
            let w = w.trim_start_matches('[').trim_end_matches(']').trim();
            if !w.is_empty() {
                words.insert(vocabulary_key(w));
            }
        };
        self.synonyms.groups.iter().flatten().for_each(|w| add(w));
        self.category_keywords
            .values()
            .flatten()
            .for_each(|w| add(w));
        self.user_words.iter().for_each(|w| add(&w.surface));
        for line in self.needs_tsv.lines() {
            let pattern = line.split('\t').next().unwrap_or("");
            if line.starts_with('#') || line.starts_with("pattern\t") || pattern.starts_with('@') {
                continue;
            }
            pattern.split_whitespace().for_each(&mut add);
        }
        words
    }

    /// Parses the three files; structural errors (a line that cannot be read
    /// at all) fail here, softer problems are reported by [`Lexicon::check`].
    pub fn parse(
        origin: &str,
        user_csv: &str,
        synonyms: &str,
        categories: &str,
    ) -> Result<Lexicon, TextError> {
        let mut user_words = Vec::new();
        for (i, line) in user_csv.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(',').collect();
            if fields.len() != 3 {
                return Err(TextError::Lexicon {
                    file: USER_FILE,
                    line: i + 1,
                    message: format!(
                        "expected 3 comma-separated fields (surface,品詞,reading), found {}",
                        fields.len()
                    ),
                });
            }
            user_words.push(UserWord {
                surface: fields[0].trim().to_string(),
                pos: fields[1].trim().to_string(),
                reading: fields[2].trim().to_string(),
            });
        }

        let mut groups = Vec::new();
        for line in synonyms.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let terms: Vec<String> = line
                .split('\t')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect();
            groups.push(terms);
        }

        let mut category_keywords = BTreeMap::new();
        for (i, line) in categories.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("code\t") {
                continue;
            }
            let (code, words) = trimmed.split_once('\t').unwrap_or((trimmed, ""));
            let category = Category::from_code(code.trim()).ok_or_else(|| TextError::Lexicon {
                file: CATEGORIES_FILE,
                line: i + 1,
                message: format!("unknown category code {:?}", code.trim()),
            })?;
            category_keywords.insert(
                category,
                words.split_whitespace().map(String::from).collect(),
            );
        }

        Ok(Lexicon {
            origin: origin.to_string(),
            user_csv: user_csv.to_string(),
            user_words,
            synonyms: SynonymGroups { groups },
            category_keywords,
            needs_tsv: String::new(),
            query_tsv: String::new(),
            sudachi: None,
        })
    }

    /// A stable fingerprint (FNV-1a) of the three files. The index records
    /// it and rebuilds itself from the store when it changes, because user
    /// words, synonym groups and category keywords all shape indexed terms.
    /// The Sudachi synonyms are left out: they expand queries only and put
    /// no term into the index, so adding or removing them needs no reindex.
    pub fn fingerprint(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |text: &str| {
            for b in text.bytes().chain([0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(&self.user_csv);
        for group in &self.synonyms.groups {
            feed(&group.join("\t"));
        }
        for (c, words) in &self.category_keywords {
            feed(c.code());
            feed(&words.join(" "));
        }
        format!("{h:016x}")
    }

    /// The text indexed for a category: its label and its keywords.
    pub fn category_text(&self, category: Category) -> String {
        let mut text = category.label_ja().to_string();
        if let Some(words) = self.category_keywords.get(&category) {
            for w in words {
                text.push(' ');
                text.push_str(w);
            }
        }
        text
    }

    /// Checks the files for problems that parse cannot see.
    pub fn check(&self) -> Vec<LexiconIssue> {
        let mut issues = Vec::new();
        let mut seen = HashSet::new();
        for (i, line) in self.user_csv.lines().enumerate() {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let [surface, pos, reading] = fields[..] else {
                continue;
            };
            let mut err = |message: String| {
                issues.push(LexiconIssue {
                    file: USER_FILE,
                    line: line_no,
                    error: true,
                    message,
                })
            };
            if surface.is_empty() {
                err("empty surface".into());
            }
            if pos.is_empty() {
                err(format!("{surface}: empty part of speech"));
            }
            if !is_kana(reading) {
                err(format!("{surface}: reading {reading:?} is not kana"));
            }
            if !seen.insert(surface.to_string()) {
                err(format!("{surface}: duplicate entry"));
            }
        }
        for (i, group) in self.synonyms.groups.iter().enumerate() {
            if group.len() < 2 {
                issues.push(LexiconIssue {
                    file: SYNONYMS_FILE,
                    line: i + 1,
                    error: true,
                    message: format!("group {group:?} has fewer than two terms"),
                });
            }
        }
        for category in Category::ALL {
            match self.category_keywords.get(category) {
                Some(words) if !words.is_empty() => {}
                _ => issues.push(LexiconIssue {
                    file: CATEGORIES_FILE,
                    line: 0,
                    error: true,
                    message: format!("category {} has no keywords", category.code()),
                }),
            }
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_parse_and_pass_check() {
        let lex = Lexicon::embedded().unwrap();
        let errors: Vec<_> = lex.check().into_iter().filter(|i| i.error).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert!(lex.user_words.len() >= 50);
        assert!(lex.synonyms.groups.len() >= 30);
        assert_eq!(lex.category_keywords.len(), Category::ALL.len());
    }

    #[test]
    fn bad_files_are_reported_with_file_and_line() {
        let err = Lexicon::parse("t", "通いの場,名詞\n", "", "").unwrap_err();
        assert!(err.to_string().contains("user.csv line 1"), "{err}");
        let err = Lexicon::parse("t", "", "", "karaoke\t歌\n").unwrap_err();
        assert!(err.to_string().contains("categories.tsv line 1"), "{err}");
        let lex = Lexicon::parse(
            "t",
            "通いの場,名詞,kayoi\n通いの場,名詞,カヨイノバ\n",
            "見守り\n",
            "",
        )
        .unwrap();
        let issues = lex.check();
        assert!(issues.iter().any(|i| i.message.contains("not kana")));
        assert!(issues.iter().any(|i| i.message.contains("duplicate")));
        assert!(issues.iter().any(|i| i.message.contains("fewer than two")));
        assert!(issues.iter().any(|i| i.message.contains("no keywords")));
    }
}

// The RailyardBuild target; see docs/architecture.md.

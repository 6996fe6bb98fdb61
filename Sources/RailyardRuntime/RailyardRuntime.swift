// The RailyardRuntime target; see docs/architecture.md.

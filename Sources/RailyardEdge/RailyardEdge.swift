// The RailyardEdge target; see docs/architecture.md.

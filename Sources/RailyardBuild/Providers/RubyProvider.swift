/// Ruby apps (Gemfile): gems bundled into `vendor/bundle` (the system's gem folder is read-only in
/// the build sandbox), then Rails when config/application.rb exists, else Rack when config.ru does.
struct RubyProvider: BuildProvider {
    let name = "ruby"
    static let install = ["bundle config set --local path vendor/bundle", "bundle install"]
    static let rails = "bundle exec rails server -b 0.0.0.0 -p $PORT"
    static let rack = "bundle exec rackup -p $PORT -o 0.0.0.0"

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        files.exists("Gemfile")
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        let remedy = "install ruby and ruby-bundler"
        try toolchain.require("ruby", language: "Ruby", remedy: remedy)
        try toolchain.require("bundle", language: "Ruby", remedy: remedy)
        // A Rails app has a config.ru too; `rails server` is what Rails users expect.
        let start = files.exists("config/application.rb") ? Self.rails : files.exists("config.ru") ? Self.rack : nil
        return BuildPlan(provider: name, install: Self.install, start: start)
    }
}

import Foundation
import RailyardCore

/// What a database service deploys: a start script for the host's server program (initialising the
/// volume on first start), the plan that runs it, and the variables it provides, named as Railway
/// names them. Pure: the programs are found by ``DatabasePrograms``.
public struct DatabaseTemplate: Sendable {
    public let engine: DatabaseEngine
    public let programs: DatabasePrograms

    public init(engine: DatabaseEngine, programs: DatabasePrograms) {
        self.engine = engine
        self.programs = programs
    }

    /// Seconds a database server gets to stop cleanly before it is killed, unless `deploy.drainingSeconds` says.
    public static let defaultDrainingSeconds = 60

    /// The script's name in the app folder.
    public static let script = "start.sh"

    /// The files of the deployed "source": the start script.
    public var files: [String: String] { [Self.script: startScript] }

    /// The plan: nothing to install or build; one replica running the script. Settings the user may
    /// give a database (limits, restart policy, healthcheck timeout, draining) are kept; keys that
    /// would break it are forced, each with a warning for the build log.
    public func plan(settings: ServiceConfig) -> BuildPlan {
        var config = ServiceConfig(deploy: settings.deploy)
        var warnings: [String] = []
        func force<T: Equatable>(_ key: WritableKeyPath<ServiceConfig.Deploy, T?>, _ name: String, to value: T?, because why: String) {
            if let set = config.deploy[keyPath: key], set != value {
                warnings.append("deploy.\(name) is ignored for a \(engine.displayName) service: \(why) (it was set to \(set))")
            }
            config.deploy[keyPath: key] = value
        }
        let oneVolume = "its data lives on one volume, which one server at a time may use"
        force(\.numReplicas, "numReplicas", to: 1, because: oneVolume)
        force(\.autoscaling, "autoscaling", to: nil, because: oneVolume)
        force(\.overlapSeconds, "overlapSeconds", to: nil, because: oneVolume)
        force(\.startCommand, "startCommand", to: nil, because: "Railyard starts the database server itself")
        force(\.preDeployCommand, "preDeployCommand", to: nil, because: "there is no app to prepare")
        force(\.healthcheckPath, "healthcheckPath", to: nil, because: "a database answers on its port, not over HTTP")
        force(\.cronSchedule, "cronSchedule", to: nil, because: "a database stays up")
        force(\.sleepApplication, "sleepApplication", to: nil, because: "the edge cannot wake it for a database client")
        // A clean shutdown (a checkpoint, InnoDB's flush, Redis's save) may take a while: a minute
        // before SIGKILL unless the user says otherwise.
        config.deploy.drainingSeconds = config.deploy.drainingSeconds ?? Self.defaultDrainingSeconds
        var plan = BuildPlan(provider: engine.rawValue, start: "exec /bin/sh ./\(Self.script)", config: config)
        plan.warnings = warnings
        return plan
    }

    /// The variables a new database service gets: generated credentials, and Railway's names
    /// built from them by reference, so a changed password or name flows into the URLs.
    /// `password` is the generated secret (see ``generatePassword()``).
    public func variables(password: String) -> [String: String] {
        let host = "${{RAILYARD_PRIVATE_DOMAIN}}"
        var values = ["PORT": "\(engine.port)"]
        switch engine {
        case .postgres:
            values.merge([
                "PGUSER": "postgres", "PGPASSWORD": password, "PGDATABASE": "railway", "PGHOST": host, "PGPORT": "${{PORT}}",
                "POSTGRES_USER": "${{PGUSER}}", "POSTGRES_PASSWORD": "${{PGPASSWORD}}", "POSTGRES_DB": "${{PGDATABASE}}",
                "PGDATA": "${{RAILYARD_VOLUME_MOUNT_PATH}}/pgdata",
                "DATABASE_URL": "postgresql://${{PGUSER}}:${{PGPASSWORD}}@\(host):${{PGPORT}}/${{PGDATABASE}}",
            ]) { $1 }
        case .redis:
            values.merge([
                "REDISUSER": "default", "REDISPASSWORD": password, "REDIS_PASSWORD": "${{REDISPASSWORD}}", "REDISHOST": host,
                "REDISPORT": "${{PORT}}", "REDIS_URL": "redis://${{REDISUSER}}:${{REDISPASSWORD}}@\(host):${{REDISPORT}}",
            ]) { $1 }
        case .mysql:
            values.merge([
                "MYSQLUSER": "root", "MYSQL_ROOT_PASSWORD": password, "MYSQLPASSWORD": "${{MYSQL_ROOT_PASSWORD}}",
                "MYSQL_DATABASE": "railway", "MYSQLDATABASE": "${{MYSQL_DATABASE}}", "MYSQLHOST": host, "MYSQLPORT": "${{PORT}}",
                "MYSQL_URL": "mysql://${{MYSQLUSER}}:${{MYSQL_ROOT_PASSWORD}}@\(host):${{MYSQLPORT}}/${{MYSQL_DATABASE}}",
            ]) { $1 }
        case .mongo:
            values.merge([
                "MONGOUSER": "mongo", "MONGOPASSWORD": password, "MONGO_INITDB_ROOT_USERNAME": "${{MONGOUSER}}",
                "MONGO_INITDB_ROOT_PASSWORD": "${{MONGOPASSWORD}}", "MONGOHOST": host, "MONGOPORT": "${{PORT}}",
                "MONGO_URL": "mongodb://${{MONGOUSER}}:${{MONGOPASSWORD}}@\(host):${{MONGOPORT}}",
            ]) { $1 }
        }
        return values
    }

    /// The public URL's variable and value, for a service with a TCP proxy: the private URL with the
    /// proxy's domain and port.
    public var publicURL: (name: String, value: String) {
        let endpoint = "${{RAILYARD_TCP_PROXY_DOMAIN}}:${{RAILYARD_TCP_PROXY_PORT}}"
        let value: String = switch engine {
        case .postgres: "postgresql://${{PGUSER}}:${{PGPASSWORD}}@\(endpoint)/${{PGDATABASE}}"
        case .redis: "redis://${{REDISUSER}}:${{REDISPASSWORD}}@\(endpoint)"
        case .mysql: "mysql://${{MYSQLUSER}}:${{MYSQL_ROOT_PASSWORD}}@\(endpoint)/${{MYSQL_DATABASE}}"
        case .mongo: "mongodb://${{MONGOUSER}}:${{MONGOPASSWORD}}@\(endpoint)"
        }
        return (engine.publicURLVariable, value)
    }

    /// The variable that holds the generated secret (present once the service is provisioned).
    public var passwordVariable: String {
        switch engine {
        case .postgres: "PGPASSWORD"
        case .redis: "REDISPASSWORD"
        case .mysql: "MYSQL_ROOT_PASSWORD"
        case .mongo: "MONGOPASSWORD"
        }
    }

    /// 32 letters and digits from the system's secure generator (~190 bits): safe in URLs and
    /// config files without quoting.
    public static func generatePassword() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    // MARK: Start scripts

    private func path(_ role: String) -> String { ShellQuote.quote(programs[role] ?? role) }

    private static let header = """
        #!/bin/sh
        # Written by Railyard for a database service; replaced at each deploy.
        set -eu
        volume="${RAILYARD_VOLUME_MOUNT_PATH:?the database has no volume: add one with railyard volume add}"
        # One server per volume: the lock is held (fd 9, inherited by the server) until the server
        # is gone, so a replacement waits for the one it replaces to have stopped.
        exec 9>>"$volume/.railyard-lock"
        if ! flock -n 9; then
          echo "Waiting for the previous server to release $volume"
          flock -w 120 9 || { echo "another database server still uses $volume" >&2; exit 1; }
        fi
        # Sockets, pid files and config of this server only (the sandbox's /tmp is private, but a host
        # without bubblewrap shares its own).
        run="$(mktemp -d)"

        """

    /// Runs the server in the background and turns SIGTERM (Railyard's stop) into `signal`, the
    /// server's fast clean shutdown, then waits for it.
    private static func supervise(_ command: String, stopWith signal: String, then: String = "") -> String {
        """
        \(command) &
        server=$!
        trap 'kill -\(signal) "$server" 2>/dev/null' TERM INT
        \(then)
        status=0
        wait "$server" || status=$?
        # A trapped signal ends the first wait early; the server is still shutting down.
        if kill -0 "$server" 2>/dev/null; then status=0; wait "$server" || status=$?; fi
        exit "$status"
        """
    }

    /// Waits (up to a minute) for the server started to initialise a new data folder to answer `check`.
    private static func waitUntil(_ check: String) -> String {
        """
          tries=0
          until \(check) > /dev/null 2>&1; do
            tries=$((tries + 1)); [ "$tries" -lt 120 ] || { echo "the database did not start to be initialised" >&2; exit 1; }
            sleep 0.5
          done
        """
    }

    /// Characters the start script cannot pass on in each credential variable (it writes them into
    /// a config file, an SQL or JavaScript statement): a value with one fails the deployment with
    /// a line that says which variable and what to do. Generated values never have them.
    var forbiddenCharacters: [(variable: String, character: Character, name: String)] {
        switch engine {
        case .postgres: [("PGDATABASE", "\"", "double quotes")]
        case .redis: [("REDISPASSWORD", "\"", "double quotes"), ("REDISPASSWORD", "\\", "backslashes")]
        case .mysql:
            [("MYSQL_ROOT_PASSWORD", "'", "single quotes"), ("MYSQL_ROOT_PASSWORD", "\\", "backslashes"), ("MYSQL_DATABASE", "`", "backticks")]
        case .mongo:
            [("MONGOUSER", "'", "single quotes"), ("MONGOPASSWORD", "'", "single quotes"), ("MONGOPASSWORD", "\\", "backslashes")]
        }
    }

    /// The shell lines that refuse `forbiddenCharacters`, run before anything else.
    var credentialCheck: String {
        forbiddenCharacters.map { rule in
            """
            case "${\(rule.variable):-}" in *\\\(rule.character)*)
              echo "\(rule.variable) may not contain \(rule.name): set another value with railyard variables --set \(rule.variable)=..." >&2; exit 1;;
            esac

            """
        }.joined()
    }

    var startScript: String {
        Self.header + credentialCheck + serverScript
    }

    private var serverScript: String {
        switch engine {
        case .postgres:
            // initdb into a side folder renamed when complete, so a crash while initialising never
            // leaves a half-made data folder the next start would trust.
            """
                data="$volume/pgdata"
                if [ ! -s "$data/PG_VERSION" ]; then
                  echo "Initialising a new PostgreSQL database in $data"
                  rm -rf "$data.init"
                  password_file="$run/password"
                  printf '%s\\n' "${PGPASSWORD:?set PGPASSWORD with railyard variables}" > "$password_file"
                  \(path("init")) -D "$data.init" -U "$PGUSER" --pwfile="$password_file" --auth=scram-sha-256 -E UTF8 --no-locale > /dev/null
                  rm -f "$password_file"
                  printf 'host all all 0.0.0.0/0 scram-sha-256\\n' >> "$data.init/pg_hba.conf"
                  if [ "$PGDATABASE" != postgres ]; then
                    printf 'CREATE DATABASE "%s"\\n' "$PGDATABASE" | \(path("server")) --single -D "$data.init" postgres > /dev/null
                  fi
                  mv "$data.init" "$data"
                fi
                \(Self.supervise("\(path("server")) -D \"$data\" -p \"${PORT:-5432}\" -c listen_addresses='*' -c unix_socket_directories=\"$run\"", stopWith: "INT"))

                """
        case .redis:
            // The password goes in a private config file, never on a command line.
            // A restored backup is an RDB without append-only files, which Redis ignores when it
            // starts with them on: it is loaded with them off, then they are turned on (Redis writes
            // them from the data).
            """
                mkdir -p "$volume/redis"
                umask 077
                printf 'requirepass "%s"\\n' "${REDISPASSWORD:?set REDISPASSWORD with railyard variables}" > "$run/redis.conf"
                set -- "$run/redis.conf" --port "${PORT:-6379}" --bind 0.0.0.0 --protected-mode no --dir "$volume/redis" --daemonize no
                if [ ! -f "$volume/redis/dump.rdb" ] || [ -d "$volume/redis/appendonlydir" ]; then
                  exec \(path("server")) "$@" --appendonly yes
                fi
                echo "Loading the restored RDB, then turning the append-only file on"
                export REDISCLI_AUTH="$REDISPASSWORD"
                \(Self.supervise("\(path("server")) \"$@\" --appendonly no", stopWith: "TERM", then: Self.waitUntil("\(path("client")) -p \"${PORT:-6379}\" ping | grep -q PONG") + "\n" + "\(path("client")) -p \"${PORT:-6379}\" config set appendonly yes"))

                """
        case .mysql:
            """
                data="$volume/mysql"
                if [ ! -d "$data/mysql" ]; then
                  echo "Initialising a new MySQL (MariaDB) database in $data"
                  rm -rf "$data.init"
                  \(path("init")) --no-defaults --datadir="$data.init" --auth-root-authentication-method=normal --skip-test-db > /dev/null
                  \(path("server")) --no-defaults --datadir="$data.init" --skip-networking --socket="$run/init.sock" --pid-file="$run/init.pid" &
                  init=$!
                \(Self.waitUntil("\(path("admin")) --no-defaults --socket=\"$run/init.sock\" -uroot ping"))
                  \(path("client")) --no-defaults --socket="$run/init.sock" -uroot <<SQL
                ALTER USER 'root'@'localhost' IDENTIFIED BY '$MYSQL_ROOT_PASSWORD';
                CREATE USER 'root'@'%' IDENTIFIED BY '$MYSQL_ROOT_PASSWORD';
                GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
                CREATE DATABASE IF NOT EXISTS \\`$MYSQL_DATABASE\\`;
                FLUSH PRIVILEGES;
                SQL
                  kill -TERM "$init"
                  wait "$init" || true
                  mv "$data.init" "$data"
                fi
                exec \(path("server")) --no-defaults --datadir="$data" --port="${PORT:-3306}" --bind-address=0.0.0.0 \\
                  --socket="$run/mysqld.sock" --pid-file="$run/mysqld.pid" --skip-name-resolve

                """
        case .mongo:
            """
                data="$volume/mongo"
                if [ ! -f "$data/.railyard-initialised" ]; then
                  echo "Initialising a new MongoDB database in $data"
                  rm -rf "$data.init"
                  mkdir -p "$data.init"
                  \(path("server")) --dbpath "$data.init" --bind_ip 127.0.0.1 --port 27099 --unixSocketPrefix "$run" &
                  init=$!
                \(Self.waitUntil("\(path("client")) --quiet --port 27099 --eval 'db.runCommand({ ping: 1 })'"))
                  \(path("client")) --quiet --port 27099 admin --eval \\
                    "db.createUser({ user: '$MONGOUSER', pwd: '$MONGOPASSWORD', roles: ['root'] })"
                  kill -TERM "$init"
                  wait "$init" || true
                  touch "$data.init/.railyard-initialised"
                  rm -rf "$data"
                  mv "$data.init" "$data"
                fi
                exec \(path("server")) --dbpath "$data" --port "${PORT:-27017}" --bind_ip_all --auth --unixSocketPrefix "$run"

                """
        }
    }
}

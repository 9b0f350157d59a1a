package io.lyre.scheduler.store;

import io.lyre.scheduler.ledger.DeviceClaim;
import org.flywaydb.core.Flyway;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The placement store over JDBC: an H2 file database in the data directory by default, PostgreSQL when a
 * {@code jdbc:postgresql:} URL is configured. Flyway creates and upgrades the schema on open. Each write method runs
 * in one transaction and rolls back on any failure, so a failed write leaves nothing half-written.
 * A connection per call keeps the class free of pooling concerns; placements change at human pace.
 */
public final class JdbcPlacementStore implements PlacementStore {

    private static final int DETAIL_MAX = 4000;

    private final String url;
    private final String user;
    private final String password;

    private JdbcPlacementStore(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Opens (and migrates) the database at a JDBC URL; user and password may be null when the URL carries them. */
    public static JdbcPlacementStore open(String url, String user, String password) {
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration")
                .load().migrate();
        return new JdbcPlacementStore(url, user, password);
    }

    /** The default: {@code <dataDir>/lyre.mv.db}, kept open for the life of the process. */
    public static JdbcPlacementStore h2(Path dataDir) {
        return open(h2Url(dataDir), "sa", "");
    }

    public static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("lyre") + ";DB_CLOSE_DELAY=-1";
    }

    public String url() {
        return url;
    }

    @Override
    public void save(StoredPlacement p, SchedulerEvent... events) {
        inTransaction("save placement of " + p.app(), c -> {
            upsert(c, p);
            appendAll(c, events);
            return null;
        });
    }

    @Override
    public boolean remove(String placementId, SchedulerEvent... events) {
        return inTransaction("remove placement " + placementId, c -> {
            int n;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM placements WHERE placement_id = ?")) {
                s.setString(1, placementId);
                n = s.executeUpdate();
            }
            appendAll(c, events);
            return n > 0;
        });
    }

    @Override
    public void replace(String oldPlacementId, StoredPlacement next, SchedulerEvent... events) {
        inTransaction("move " + next.app(), c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM placements WHERE placement_id = ?")) {
                s.setString(1, oldPlacementId);
                s.executeUpdate();
            }
            upsert(c, next);
            appendAll(c, events);
            return null;
        });
    }

    @Override
    public Optional<StoredPlacement> byId(String placementId) {
        return query("SELECT * FROM placements WHERE placement_id = ?", placementId).stream().findFirst();
    }

    @Override
    public Optional<StoredPlacement> byApp(String app) {
        return query("SELECT * FROM placements WHERE app = ?", app).stream().findFirst();
    }

    @Override
    public List<StoredPlacement> all() {
        return query("SELECT * FROM placements ORDER BY app", null);
    }

    @Override
    public List<StoredPlacement> onEngine(String engineId) {
        return query("SELECT * FROM placements WHERE engine_id = ? ORDER BY app", engineId);
    }

    @Override
    public void append(SchedulerEvent event) {
        inTransaction("append event", c -> {
            appendAll(c, new SchedulerEvent[] {event});
            return null;
        });
    }

    @Override
    public List<SchedulerEvent> events(int limit) {
        return inTransaction("read events", c -> {
            List<SchedulerEvent> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT occurred_at, type, app, engine_id, detail FROM events ORDER BY id DESC")) {
                s.setMaxRows(limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new SchedulerEvent(instant(r, "occurred_at"), r.getString("type"), r.getString("app"),
                                r.getString("engine_id"), r.getString("detail")));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void savePolicy(String app, String json, String hash) {
        inTransaction("save policy of " + app, c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE policies SET body = ?, hash = ?, updated_at = ? WHERE app = ?")) {
                u.setString(1, json);
                u.setString(2, hash);
                u.setObject(3, time(Instant.now()));
                u.setString(4, app);
                if (u.executeUpdate() == 0) {
                    try (PreparedStatement i = c.prepareStatement("INSERT INTO policies (app, body, hash, updated_at) VALUES (?, ?, ?, ?)")) {
                        i.setString(1, app);
                        i.setString(2, json);
                        i.setString(3, hash);
                        i.setObject(4, time(Instant.now()));
                        i.executeUpdate();
                    }
                }
            }
            return null;
        });
    }

    @Override
    public boolean deletePolicy(String app) {
        return inTransaction("delete policy of " + app, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM policies WHERE app = ?")) {
                s.setString(1, app);
                return s.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Map<String, String> loadPolicies() {
        return inTransaction("read policies", c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT app, body FROM policies ORDER BY app")) {
                while (r.next()) {
                    out.put(r.getString(1), r.getString(2));
                }
            }
            return out;
        });
    }

    @Override
    public void saveCreateRequest(String app, String json) {
        inTransaction("save the create request of " + app, c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE create_requests SET body = ?, updated_at = ? WHERE app = ?")) {
                u.setString(1, json);
                u.setObject(2, time(Instant.now()));
                u.setString(3, app);
                if (u.executeUpdate() == 0) {
                    try (PreparedStatement i = c.prepareStatement("INSERT INTO create_requests (app, body, updated_at) VALUES (?, ?, ?)")) {
                        i.setString(1, app);
                        i.setString(2, json);
                        i.setObject(3, time(Instant.now()));
                        i.executeUpdate();
                    }
                }
            }
            return null;
        });
    }

    @Override
    public Optional<String> createRequest(String app) {
        return inTransaction("read the create request of " + app, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT body FROM create_requests WHERE app = ?")) {
                s.setString(1, app);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public boolean deleteCreateRequest(String app) {
        return inTransaction("delete the create request of " + app, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM create_requests WHERE app = ?")) {
                s.setString(1, app);
                return s.executeUpdate() > 0;
            }
        });
    }

    /** H2 keeps the database open (DB_CLOSE_DELAY=-1) until told to shut down; PostgreSQL needs nothing. */
    @Override
    public void close() {
        if (url.startsWith("jdbc:h2:")) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException ignored) {
                // already closed
            }
        }
    }

    private void upsert(Connection c, StoredPlacement p) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("UPDATE placements SET app = ?, engine_id = ?, device_ids = ?, "
                + "milli_cores = ?, memory_bytes = ?, policy_hash = ?, state = ?, updated_at = ? WHERE placement_id = ?")) {
            u.setString(1, p.app());
            u.setString(2, p.engineId());
            u.setString(3, encode(p.devices()));
            u.setLong(4, p.milliCores());
            u.setLong(5, p.memoryBytes());
            u.setString(6, p.policyHash());
            u.setString(7, p.state().name());
            u.setObject(8, time(p.updatedAt()));
            u.setString(9, p.placementId());
            if (u.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement i = c.prepareStatement("INSERT INTO placements (placement_id, app, engine_id, device_ids, "
                + "milli_cores, memory_bytes, policy_hash, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            i.setString(1, p.placementId());
            i.setString(2, p.app());
            i.setString(3, p.engineId());
            i.setString(4, encode(p.devices()));
            i.setLong(5, p.milliCores());
            i.setLong(6, p.memoryBytes());
            i.setString(7, p.policyHash());
            i.setString(8, p.state().name());
            i.setObject(9, time(p.createdAt()));
            i.setObject(10, time(p.updatedAt()));
            i.executeUpdate();
        }
    }

    private static void appendAll(Connection c, SchedulerEvent[] events) throws SQLException {
        if (events == null || events.length == 0) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO events (occurred_at, type, app, engine_id, detail) VALUES (?, ?, ?, ?, ?)")) {
            for (SchedulerEvent e : events) {
                s.setObject(1, time(e.at()));
                s.setString(2, e.type());
                s.setString(3, e.app());
                s.setString(4, e.engineId());
                s.setString(5, e.detail().length() > DETAIL_MAX ? e.detail().substring(0, DETAIL_MAX - 3) + "..." : e.detail());
                s.executeUpdate();
            }
        }
    }

    private List<StoredPlacement> query(String sql, String arg) {
        return inTransaction("read placements", c -> {
            List<StoredPlacement> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                if (arg != null) {
                    s.setString(1, arg);
                }
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new StoredPlacement(r.getString("placement_id"), r.getString("app"), r.getString("engine_id"),
                                decode(r.getString("device_ids")), r.getLong("milli_cores"), r.getLong("memory_bytes"),
                                r.getString("policy_hash"), PlacementState.valueOf(r.getString("state")),
                                instant(r, "created_at"), instant(r, "updated_at")));
                    }
                }
            }
            return out;
        });
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
    }

    static String encode(List<DeviceClaim> claims) {
        StringBuilder s = new StringBuilder();
        for (DeviceClaim c : claims) {
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(c.deviceId()).append('@').append(c.maxApps());
        }
        return s.toString();
    }

    static List<DeviceClaim> decode(String text) {
        List<DeviceClaim> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String item : text.split(",")) {
            int at = item.lastIndexOf('@');
            out.add(at < 0 ? new DeviceClaim(item, 1) : new DeviceClaim(item.substring(0, at), Integer.parseInt(item.substring(at + 1))));
        }
        return out;
    }

    private static OffsetDateTime time(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet r, String column) throws SQLException {
        return r.getObject(column, OffsetDateTime.class).toInstant();
    }
}

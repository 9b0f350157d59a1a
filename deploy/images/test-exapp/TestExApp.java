import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Lyre's test ExApp: a plain-JDK, single-file stand-in for an nc_py_api ExApp.
 * Endpoints: GET /heartbeat, POST /init (reports progress to NEXTCLOUD_URL like nc_py_api), PUT /enabled,
 * GET /public, /user, /admin (echo who called and with which headers) and /ws (WebSocket echo, RFC 6455
 * server framing written by hand because the JDK has no WebSocket server).
 * Like nc_py_api it checks AA-VERSION, EX-APP-ID, EX-APP-VERSION and AUTHORIZATION-APP-API on every route
 * but /heartbeat (401 on mismatch), and it listens on APP_HOST:APP_PORT when HP_SHARED_KEY is absent
 * (with HP_SHARED_KEY an nc_py_api app would bind a unix socket for frpc; this one refuses to start).
 */
public final class TestExApp {
    static final String APP_ID = env("APP_ID", "test-exapp");
    static final String APP_VERSION = env("APP_VERSION", "1.0.0");
    static final String APP_SECRET = env("APP_SECRET", "");
    static final String NEXTCLOUD_URL = env("NEXTCLOUD_URL", "http://localhost").replaceAll("/+$", "");
    static volatile boolean enabled;

    public static void main(String[] args) throws Exception {
        if (System.getenv("HP_SHARED_KEY") != null) {
            System.err.println("HP_SHARED_KEY is set: an FRP-mode ExApp would listen on /tmp/exapp.sock; this test app needs APP_HOST:APP_PORT");
            System.exit(2);
        }
        String host = env("APP_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("APP_PORT", "23000"));
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(host, port));
            System.out.println("test-exapp " + APP_ID + " " + APP_VERSION + " listening on " + host + ":" + port);
            while (true) {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread t = new Thread(() -> serve(s), "conn");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    record Request(String method, String path, String query, Map<String, String> headers, byte[] body) {
    }

    static void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                Request req = read(in);
                if (req == null) {
                    return;
                }
                if (!handle(req, in, out)) {
                    return;
                }
            }
        } catch (IOException e) {
            // client went away
        }
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    static Request read(InputStream in) throws IOException {
        String start = line(in);
        if (start == null || start.isEmpty()) {
            return null;
        }
        String[] parts = start.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
        }
        byte[] body = new byte[0];
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line(in).isEmpty()) { }
                    break;
                }
                b.write(in.readNBytes(size));
                line(in);
            }
            body = b.toByteArray();
        }
        String target = parts.length > 1 ? parts[1] : "/";
        int q = target.indexOf('?');
        return new Request(parts[0], q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1), headers, body);
    }

    /** nc_py_api's sign_check: all four headers, the app id, the version and the secret must match. */
    static String signCheck(Map<String, String> h) {
        for (String name : new String[] {"aa-version", "ex-app-id", "ex-app-version", "authorization-app-api"}) {
            if (h.getOrDefault(name, "").isEmpty()) {
                return "Missing required header " + name.toUpperCase(Locale.ROOT);
            }
        }
        if (!h.get("ex-app-id").equals(APP_ID)) {
            return "Invalid EX-APP-ID " + h.get("ex-app-id");
        }
        if (!h.get("ex-app-version").equals(APP_VERSION)) {
            return "Invalid EX-APP-VERSION " + h.get("ex-app-version");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.get("authorization-app-api")), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "AUTHORIZATION-APP-API is not base64";
        }
        int colon = decoded.indexOf(':');
        if (colon < 0 || !decoded.substring(colon + 1).equals(APP_SECRET)) {
            return "Invalid app secret";
        }
        return null;
    }

    static String user(Map<String, String> h) {
        String decoded = new String(Base64.getDecoder().decode(h.get("authorization-app-api")), StandardCharsets.UTF_8);
        return decoded.substring(0, decoded.indexOf(':'));
    }

    static boolean handle(Request req, InputStream in, OutputStream out) throws IOException {
        if (req.path.equals("/heartbeat")) {
            respond(out, 200, "{\"status\":\"ok\"}");
            return true;
        }
        String problem = signCheck(req.headers);
        if (problem != null) {
            respond(out, 401, "{\"detail\":" + quote(problem) + "}");
            return true;
        }
        switch (req.path) {
            case "/init" -> {
                respond(out, 200, "{}");
                Thread t = new Thread(TestExApp::reportInit, "init");
                t.setDaemon(true);
                t.start();
            }
            case "/enabled" -> {
                enabled = req.query.contains("enabled=1");
                System.out.println((enabled ? "Hello from " : "Bye bye from ") + APP_ID);
                respond(out, 200, "{\"error\":\"\"}");
            }
            case "/public", "/user", "/admin", "/" -> {
                StringBuilder headers = new StringBuilder("{");
                req.headers.forEach((k, v) -> headers.append(headers.length() > 1 ? "," : "").append(quote(k)).append(':').append(quote(v)));
                headers.append('}');
                respond(out, 200, "{\"route\":" + quote(req.path) + ",\"user\":" + quote(user(req.headers)) + ",\"query\":"
                        + quote(req.query) + ",\"method\":" + quote(req.method) + ",\"body_length\":" + req.body.length
                        + ",\"headers\":" + headers + "}");
            }
            case "/ws" -> {
                webSocket(req, in, out);
                return false;
            }
            default -> respond(out, 404, "{\"detail\":\"Not Found\"}");
        }
        return true;
    }

    /** Reports init progress as nc_py_api's set_init_status does: PUT ocs/v1.php/apps/app_api/ex-app/status. */
    static void reportInit() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int progress : new int[] {0, 50, 100}) {
            try {
                HttpRequest r = HttpRequest.newBuilder(URI.create(NEXTCLOUD_URL + "/ocs/v1.php/apps/app_api/ex-app/status"))
                        .timeout(Duration.ofSeconds(10))
                        .header("AA-VERSION", env("AA_VERSION", "32"))
                        .header("EX-APP-ID", APP_ID).header("EX-APP-VERSION", APP_VERSION)
                        .header("AUTHORIZATION-APP-API", Base64.getEncoder().encodeToString((":" + APP_SECRET).getBytes(StandardCharsets.UTF_8)))
                        .header("OCS-APIRequest", "true").header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"progress\":" + progress + "}")).build();
                HttpResponse<String> resp = client.send(r, HttpResponse.BodyHandlers.ofString());
                System.out.println("init progress " + progress + " -> " + resp.statusCode());
            } catch (Exception e) {
                System.out.println("init progress " + progress + " failed: " + e);
            }
        }
    }

    static void webSocket(Request req, InputStream in, OutputStream out) throws IOException {
        String key = req.headers.get("sec-websocket-key");
        if (key == null || !"websocket".equalsIgnoreCase(req.headers.get("upgrade"))) {
            respond(out, 400, "{\"detail\":\"WebSocket upgrade expected\"}");
            return;
        }
        String accept;
        try {
            accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
        } catch (Exception e) {
            throw new IOException(e);
        }
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        while (true) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                return;
            }
            int opcode = b0 & 0x0f;
            long len = b1 & 0x7f;
            if (len == 126) {
                len = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | (in.read() & 0xff);
                }
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) len);
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            switch (opcode) {
                case 0x8 -> {
                    frame(out, 0x8, payload);
                    return;
                }
                case 0x9 -> frame(out, 0xA, payload);
                case 0xA -> { }
                default -> frame(out, opcode, payload); // echo text, binary and continuation frames as they came
            }
        }
    }

    static void frame(OutputStream out, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | opcode);
        if (payload.length < 126) {
            f.write(payload.length);
        } else if (payload.length < 65536) {
            f.write(126);
            f.write(payload.length >> 8);
            f.write(payload.length & 0xff);
        } else {
            f.write(127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) payload.length >> (8 * i)) & 0xff);
            }
        }
        f.write(payload);
        out.write(f.toByteArray());
        out.flush();
    }

    static void respond(OutputStream out, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 " + status + " " + (status == 200 ? "OK" : status == 401 ? "Unauthorized" : "Error")
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        // One write: head and body in separate small segments would wait ~40 ms on the peer's delayed ACK.
        byte[] whole = new byte[head.length + body.length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(body, 0, whole, head.length, body.length);
        out.write(whole);
        out.flush();
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}

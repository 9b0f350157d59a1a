package io.lyre.proxy;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** The front door's decision procedure against a Nextcloud stand-in and a fake ExApp (harp.md §2-3, §7). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FrontDoorTest {
    private FrontDoorHarness h;

    @BeforeAll
    void start() throws Exception {
        // a high ban limit: this class makes many failing requests from 127.0.0.1 on purpose
        h = new FrontDoorHarness(Map.of("HP_BLACKLIST_COUNT", "100000", "HP_TIMEOUT_SERVER", "2s",
                "HP_TIMEOUT_CONNECT", "2s", "LYRE_MAX_HEADER_SIZE", "4096"));
    }

    @AfterAll
    void stop() throws Exception {
        h.close();
    }

    private RequestSpecification as(String caller) {
        RequestSpecification spec = given().port(h.port()).redirects().follow(false);
        return switch (caller) {
            case "anonymous" -> spec;
            case "basic-usr" -> spec.auth().preemptive().basic("usr", "password");
            case "basic-admin" -> spec.auth().preemptive().basic("admin", "admin");
            case "cookie-usr" -> spec.cookie("oc_sessionPassphrase", "usr-session").cookie("nc_session_id", "abc");
            case "cookie-admin" -> spec.cookie("oc_sessionPassphrase", "admin-session");
            default -> throw new IllegalArgumentException(caller);
        };
    }

    @ParameterizedTest(name = "{1} on /{0} -> {2}")
    @CsvSource({
            "public,anonymous,200", "public,basic-usr,200", "public,basic-admin,200", "public,cookie-usr,200", "public,cookie-admin,200",
            "user,anonymous,403", "user,basic-usr,200", "user,basic-admin,200", "user,cookie-usr,200", "user,cookie-admin,200",
            "admin,anonymous,403", "admin,basic-usr,403", "admin,basic-admin,200", "admin,cookie-usr,403", "admin,cookie-admin,200",
            "imaginary,anonymous,404", "imaginary,basic-usr,404", "imaginary,basic-admin,404", "imaginary,cookie-usr,404", "imaginary,cookie-admin,404"})
    void routeAndAccessMatrixMatchesHarpsCi(String route, String caller, int expected) {
        var response = as(caller).get("/exapps/test-exapp/" + route);
        response.then().statusCode(expected);
        switch (expected) {
            case 403 -> assertThat(response.asString()).isEqualTo("403 Forbidden");
            case 404 -> assertThat(response.asString()).isEqualTo("404 Not Found");
            default -> { }
        }
    }

    @Test
    void exAppGetsAppApiHeadersAndNeverTheSharedKey() {
        JsonPath seen = as("basic-usr").urlEncodingEnabled(false).header("harp-shared-key", FrontDoorHarness.KEY).header("ex-app-host", "x")
                .header("EX-APP-ID", "spoofed").get("/exapps/test-exapp/user?a=1&b=%2F").then().statusCode(200).extract().jsonPath();
        assertThat(seen.getString("path")).isEqualTo("/user");
        assertThat(seen.getString("query")).isEqualTo("a=1&b=%2F");
        Map<String, String> headers = seen.getMap("headers");
        assertThat(headers).containsEntry("ex-app-id", "test-exapp").containsEntry("ex-app-version", "1.0.0")
                .containsEntry("aa-version", "32")
                .containsEntry("authorization-app-api", b64("usr:" + FrontDoorHarness.SECRET))
                .doesNotContainKeys("harp-shared-key", "ex-app-host", "ex-app-port");
        assertThat(headers.get("authorization")).startsWith("Basic "); // the client's own auth is not ours to remove
    }

    @Test
    void expectContinueIsAnsweredHereAndNotForwarded() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", h.port())) {
            s.setSoTimeout(10_000);
            var out = s.getOutputStream();
            var in = new java.io.DataInputStream(s.getInputStream());
            out.write(("POST /exapps/test-exapp/public HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // the body waits for the interim answer, as curl and Guzzle do (a read timeout here fails the test)
            assertThat(readHead(in)).startsWith("HTTP/1.1 100 Continue");
            out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200");
            int length = Integer.parseInt(head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                    .findFirst().orElseThrow().substring(15).trim());
            byte[] body = in.readNBytes(length);
            JsonPath seen = new JsonPath(new String(body, StandardCharsets.UTF_8));
            assertThat(seen.getMap("headers")).doesNotContainKey("expect");
        }
    }

    private static String readHead(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    @Test
    void anonymousCallerIsSignedWithAnEmptyUser() {
        JsonPath seen = as("anonymous").get("/exapps/test-exapp/public").then().statusCode(200).extract().jsonPath();
        assertThat(seen.getString("headers.authorization-app-api")).isEqualTo(b64(":" + FrontDoorHarness.SECRET));
    }

    @Test
    void directAppApiRequestSkipsRoutesAndKeepsAppApisSignature() {
        JsonPath seen = given().port(h.port()).header("harp-shared-key", FrontDoorHarness.KEY)
                .header("ex-app-version", "1.0.0").header("ex-app-id", "test-exapp").header("ex-app-host", "127.0.0.1")
                .header("ex-app-port", "1").header("authorization-app-api", b64(":appapi-secret")).header("AA-VERSION", "35")
                .put("/exapps/test-exapp/enabled?enabled=1").then().statusCode(200).extract().jsonPath();
        assertThat(seen.getString("path")).isEqualTo("/enabled");
        assertThat(seen.getString("headers.authorization-app-api")).isEqualTo(b64(":appapi-secret"));
        assertThat(seen.getString("headers.aa-version")).isEqualTo("32");
        assertThat(seen.getString("headers.harp-shared-key")).isNull();
    }

    @Test
    void directRequestBeforeExappStorageUsesAppApisHostAndPort() {
        // an app Nextcloud does not know yet (during /init): the ex-app-host/port headers say where it is
        given().port(h.port()).header("harp-shared-key", FrontDoorHarness.KEY)
                .header("ex-app-version", "2.0.0").header("ex-app-id", "fresh-app").header("ex-app-host", "127.0.0.1")
                .header("ex-app-port", String.valueOf(h.exapp.port())).header("authorization-app-api", b64(":x"))
                .post("/exapps/fresh-app/init").then().statusCode(200).body("headers.ex-app-version", equalTo("2.0.0"));
    }

    @Test
    void directRequestWithWrongKeyIsDroppedAndCounted() throws Exception {
        int before = h.server.guard().failuresOf("127.0.0.1");
        String answer = h.get("/exapps/test-exapp/heartbeat", "harp-shared-key: wrong", "ex-app-version: 1.0.0",
                "ex-app-id: test-exapp", "ex-app-host: 127.0.0.1", "ex-app-port: 1", "authorization-app-api: eA==");
        assertThat(answer).isEmpty();
        assertThat(h.server.guard().failuresOf("127.0.0.1")).isEqualTo(before + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/heartbeat", "/init", "/enabled"})
    void unsignedLifecycleCallsAreDropped(String path) throws Exception {
        assertThat(h.get("/exapps/test-exapp" + path)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/exapps/test-exapp/../app_api/info", "/exapps/test-exapp/%2e%2e/x", "/exapps/test-exapp/%2E%2e%2Fx",
            "/exapps/test-exapp/.%2e/x", "/exapps/%2e%2e/x", "/exapps/test-exapp/%252e%252e/x"})
    void dotDotPathsAreDroppedRawAndEncoded(String path) throws Exception {
        assertThat(h.get(path, "harp-shared-key: " + FrontDoorHarness.KEY)).isEmpty();
    }

    @Test
    void unknownAppIs404AndTheMissIsCachedForFifteenSeconds() {
        int before = h.nextcloud.exappMetaCalls.get();
        given().port(h.port()).get("/exapps/nope-app/public").then().statusCode(404).body(equalTo("404 Not Found"));
        given().port(h.port()).get("/exapps/nope-app/public").then().statusCode(404);
        assertThat(h.nextcloud.exappMetaCalls.get()).isEqualTo(before + 1);
    }

    @Test
    void pathOutsideExappsIs404() {
        given().port(h.port()).get("/somewhere/exapps/test-exapp/public").then().statusCode(404).body(equalTo("404 Not Found"));
    }

    @Test
    void appApiWithoutTheKeyIs401PlainText() {
        given().port(h.port()).header("harp-shared-key", "wrong").get("/exapps/app_api/info")
                .then().statusCode(401).contentType(startsWith("text/plain")).body(equalTo("401 Unauthorized"));
    }

    @Test
    void infoReportsAVersionAppApiAccepts() {
        given().port(h.port()).header("harp-shared-key", FrontDoorHarness.KEY).get("/exapps/app_api/info").then().statusCode(200)
                .body("version", equalTo("0.4.4")).body("docker", equalTo(true)).body("kubernetes.enabled", equalTo(false));
        given().port(h.port()).header("harp-shared-key", FrontDoorHarness.KEY).get("/exapps/app_api/heartbeat").then()
                .statusCode(200).body("status", equalTo("ok"));
    }

    @Test
    void sessionCookieIsLookedUpOncePerLifetime() {
        int before = h.nextcloud.userInfoCalls.get();
        for (int i = 0; i < 5; i++) {
            given().port(h.port()).cookie("oc_sessionPassphrase", "usr-session-cache-test").get("/exapps/test-exapp/public")
                    .then().statusCode(200);
        }
        assertThat(h.nextcloud.userInfoCalls.get()).isEqualTo(before + 1);
    }

    @Test
    void nextcloudFailingUserInfoGives401() {
        h.nextcloud.userInfoStatus = 500;
        try {
            as("basic-usr").get("/exapps/test-exapp/public").then().statusCode(401).body(equalTo("401 Unauthorized"));
        } finally {
            h.nextcloud.userInfoStatus = 200;
        }
    }

    @Test
    void exappStoragePushWinsOverNextcloudAndDeleteForgetsIt() {
        String meta = "{\"exapp_token\":\"pushed\",\"exapp_version\":\"9.9.9\",\"host\":\"127.0.0.1\",\"port\":" + h.exapp.port()
                + ",\"routes\":[{\"url\":\"^/public$\",\"access_level\":0,\"bruteforce_protection\":[]}],\"extra\":1}";
        key().contentType("application/json").body(meta).post("/exapps/app_api/exapp_storage/Pushed-App").then().statusCode(204);
        given().port(h.port()).get("/exapps/pushed-app/public").then().statusCode(200)
                .body("headers.ex-app-version", equalTo("9.9.9")).body("headers.ex-app-id", equalTo("pushed-app"));
        key().delete("/exapps/app_api/exapp_storage/pushed-app").then().statusCode(204);
        key().delete("/exapps/app_api/exapp_storage/pushed-app").then().statusCode(404);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not json|{oops",
            "missing fields|{\"exapp_token\":\"t\"}",
            "port not a number|{\"exapp_token\":\"t\",\"exapp_version\":\"1\",\"host\":\"h\",\"port\":\"x\",\"routes\":[]}",
            "bad access level|{\"exapp_token\":\"t\",\"exapp_version\":\"1\",\"host\":\"h\",\"port\":1,\"routes\":[{\"url\":\"^/$\",\"access_level\":7}]}"})
    void exappStorageRejectsBadBodiesWith400(String why, String body) {
        key().contentType("application/json").body(body).post("/exapps/app_api/exapp_storage/bad-app").then().statusCode(400);
    }

    @Test
    void dockerWrapperNeedsAValidEnginePortHeader() {
        key().contentType("application/json").body("{\"name\":\"x\"}").post("/exapps/app_api/docker/exapp/exists")
                .then().statusCode(400).body(startsWith("Missing 'docker-engine-port'"));
        key().header("docker-engine-port", "abc").contentType("application/json").body("{\"name\":\"x\"}")
                .post("/exapps/app_api/docker/exapp/exists").then().statusCode(400).body(startsWith("Invalid 'docker-engine-port'"));
        key().header("docker-engine-port", "70000").contentType("application/json").body("{\"name\":\"x\"}")
                .post("/exapps/app_api/docker/exapp/exists").then().statusCode(400);
    }

    @Test
    void dockerWrapperOnASlotNobodyServesIs503() {
        key().header("docker-engine-port", "24042").contentType("application/json").body("{\"name\":\"x\"}")
                .post("/exapps/app_api/docker/exapp/exists").then().statusCode(503)
                .body(equalTo("Could not connect to Docker Engine on port 24042"));
        key().header("docker-engine-port", "24000").get("/exapps/app_api/v1.44/_ping").then().statusCode(503);
    }

    @Test
    void dockerWrapperRejectsMalformedJsonAndMissingFieldsWith400() {
        key().header("docker-engine-port", "24001").contentType("application/json").body("{nope")
                .post("/exapps/app_api/docker/exapp/create").then().statusCode(400).body(startsWith("Payload validation error"));
    }

    @Test
    void rawDockerPathWithoutEnginePortFallsIntoTheControlApi() {
        key().get("/exapps/app_api/v1.44/_ping").then().statusCode(404).body(equalTo("404: Not Found"));
    }

    @ParameterizedTest
    @CsvSource({"GET,/v1.44/containers/json", "POST,/v1.44/containers/create", "GET,/v1.44/containers/other/json",
            "DELETE,/v1.44/images/x", "POST,/v1.44/containers/nc_app_x/start", "GET,/v1.44/info"})
    void dockerCallsOutsideTheAllowListAre403(String method, String path) {
        key().header("docker-engine-port", "24001").request(method, "/exapps/app_api" + path).then().statusCode(403)
                .body(startsWith("<html><body><h1>403 Forbidden</h1>"));
    }

    @Test
    void appThatDoesNotListenIs503() {
        h.nextcloud.app("down-app", NextcloudStandIn.metadata("t", "1", "127.0.0.1", 1));
        given().port(h.port()).get("/exapps/down-app/public").then().statusCode(503).body(equalTo("503 Service Unavailable"));
    }

    @Test
    void appSlowerThanTheServerTimeoutIs504() {
        given().port(h.port()).get("/exapps/test-exapp/slow").then().statusCode(504).body(equalTo("504 Gateway Time-out"));
    }

    @Test
    void chunkedAnswersStreamThrough() {
        given().port(h.port()).get("/exapps/test-exapp/stream").then().statusCode(200).body(equalTo("chunk0\nchunk1\nchunk2\n"));
    }

    @Test
    void requestBodiesReachTheApp() {
        as("basic-usr").body("hello body").post("/exapps/test-exapp/user").then().statusCode(200)
                .body("body", equalTo("hello body")).body("method", equalTo("POST"));
    }

    @Test
    void routeWithBruteforceProtectionCountsTheListedStatuses() {
        int before = h.server.guard().failuresOf("127.0.0.1");
        given().port(h.port()).get("/exapps/test-exapp/guarded").then().statusCode(401);
        assertThat(h.server.guard().failuresOf("127.0.0.1")).isEqualTo(before + 1);
    }

    @Test
    void xForwardedForFromAnUntrustedPeerIsIgnored() {
        int before = h.server.guard().failuresOf("127.0.0.1");
        given().port(h.port()).header("X-Forwarded-For", "198.51.100.7").get("/exapps/test-exapp/imaginary").then().statusCode(404);
        assertThat(h.server.guard().failuresOf("127.0.0.1")).isEqualTo(before + 1);
        assertThat(h.server.guard().failuresOf("198.51.100.7")).isZero();
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        String answer = h.get("/exapps/test-exapp/public", "X-Big: " + "a".repeat(8000));
        assertThat(answer).startsWith("HTTP/1.1 431");
    }

    @Test
    void webSocketEchoesThroughTheFrontDoorWithBasicAuth() throws Exception {
        WebSocketClient client = h.vertx.createWebSocketClient();
        try {
            WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(h.port())
                    .setURI("/exapps/test-exapp/ws").addHeader("Authorization", "Basic " + b64("usr:password")))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            CompletableFuture<String> echo = new CompletableFuture<>();
            ws.textMessageHandler(echo::complete);
            ws.writeTextMessage("ping through lyre");
            assertThat(echo.get(10, TimeUnit.SECONDS)).isEqualTo("ping through lyre");
            ws.close();
        } finally {
            client.close();
        }
    }

    @Test
    void anonymousWebSocketOnAUserRouteIs403() throws Exception {
        String answer = h.get("/exapps/test-exapp/ws", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13");
        assertThat(answer).startsWith("HTTP/1.1 403").endsWith("403 Forbidden");
    }

    private RequestSpecification key() {
        return given().port(h.port()).header("harp-shared-key", FrontDoorHarness.KEY);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}

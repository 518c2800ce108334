// JUnit 5 + Testcontainers, with WireMock's module
// (org.wiremock.integrations.testcontainers:wiremock-testcontainers-module).
// Copies the generated folders into the container; run from the repository root.
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.MountableFile;
import org.wiremock.integrations.testcontainers.WireMockContainer;

@Testcontainers
class WireMockDvpTest {
    @Container
    static final WireMockContainer DVP = new WireMockContainer("wiremock/wiremock:3.13.2")
            .withCopyFileToContainer(MountableFile.forHostPath("mappings"), "/home/wiremock/mappings")
            .withCopyFileToContainer(MountableFile.forHostPath("__files"), "/home/wiremock/__files");

    @Test
    void logsIn() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var login = java.net.http.HttpRequest.newBuilder(java.net.URI.create(DVP.getBaseUrl() + "/v2/users/login"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"username\":\"demo\",\"password\":\"demo\"}"))
                .build();
        var response = client.send(login, java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(200, response.statusCode());
    }
}

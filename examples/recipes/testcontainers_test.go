// Go (go get github.com/testcontainers/testcontainers-go). Run from the repository root,
// e.g. copied next to your tests with the paths adjusted.
package dvpmock_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

func TestDvpMock(t *testing.T) {
	ctx := context.Background()
	mappings, _ := filepath.Abs("mappings")
	files, _ := filepath.Abs("__files")
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        "wiremock/wiremock:3.13.2",
			ExposedPorts: []string{"8080/tcp"},
			Files: []testcontainers.ContainerFile{
				// Directories: the host folder's name matches the target's last element, so the
				// tree lands at that path whichever copy semantics your version uses.
				{HostFilePath: mappings, ContainerFilePath: "/home/wiremock/mappings", FileMode: 0o755},
				{HostFilePath: files, ContainerFilePath: "/home/wiremock/__files", FileMode: 0o755},
			},
			WaitingFor: wait.ForHTTP("/__admin/health").WithPort("8080/tcp"),
		},
		Started: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Terminate(ctx) })
	endpoint, err := c.PortEndpoint(ctx, "8080/tcp", "http")
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(endpoint+"/v2/users/login", "application/json",
		strings.NewReader(`{"username":"demo","password":"demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("login: %d", res.StatusCode)
	}
}

using System.Net;
using Humanloop.Server.Hosting;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>The SQLite data folder: private to its owner, and used by one server process at a time.</summary>
public sealed class DataFolderTests : IDisposable
{
    private readonly string _parent = Path.Combine(Path.GetTempPath(), "hl-folder-tests-" + Guid.NewGuid().ToString("N"));

    private string Folder => Path.Combine(_parent, "data");

    public void Dispose()
    {
        if (Directory.Exists(_parent))
        {
            Directory.Delete(_parent, recursive: true);
        }
    }

    private ServerOptions FolderOptions() => new()
    {
        Urls = ["http://127.0.0.1:0"],
        DataFolder = Folder,
        ApiKeys = [TestServers.ApiKey],
        Output = TextWriter.Null,
    };

    [Fact]
    public async Task A_new_data_folder_is_readable_by_its_owner_only()
    {
        // Unix file modes; on Windows the folder inherits the profile's ACL.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using (var server = await TestServers.StartAsync(FolderOptions()))
        {
            using var api = new ApiClient(server, TestServers.ApiKey);
            await api.CreateProjectAsync(Names.Unique("private"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder));
            foreach (var file in Directory.GetFiles(Folder))
            {
                Assert.True((File.GetUnixFileMode(file) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) == 0, $"{file} is {File.GetUnixFileMode(file)}");
            }

            Assert.Contains(Directory.GetFiles(Folder), f => f.EndsWith("humanloop.db-wal", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_database_file_others_could_read_is_made_owner_only_at_start()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using (await TestServers.StartAsync(FolderOptions()))
        {
        }

        var database = Path.Combine(Folder, "humanloop.db");
        File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using (await TestServers.StartAsync(FolderOptions()))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database));
        }
    }

    [Fact]
    public async Task A_second_server_on_the_same_folder_is_refused_with_a_message_and_the_first_keeps_working()
    {
        await using var first = await TestServers.StartAsync(FolderOptions());

        var refused = await Assert.ThrowsAsync<IOException>(() => TestServers.StartAsync(FolderOptions()));
        Assert.Contains($"the data folder '{Folder}' is in use by another Humanloop server process", refused.Message);
        Assert.Contains("--database", refused.Message);

        // The same from another process: exit code 1 and the message, no stack trace.
        var (exitCode, output) = await ServerProcess.RunAsync("--urls", "http://127.0.0.1:0", "--data", Folder);
        Assert.Equal(1, exitCode);
        Assert.Contains("Humanloop server could not start: the data folder", output);
        Assert.DoesNotContain("   at ", output);

        using var api = new ApiClient(first, TestServers.ApiKey);
        (await api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
        await api.CreateProjectAsync(Names.Unique("still-served"));
    }

    [Fact]
    public async Task The_folder_is_free_again_once_its_server_stopped()
    {
        await using (await TestServers.StartAsync(FolderOptions()))
        {
        }

        await using var again = await TestServers.StartAsync(FolderOptions());
        using var api = new ApiClient(again, TestServers.ApiKey);
        (await api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
    }
}

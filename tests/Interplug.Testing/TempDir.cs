namespace Interplug.Testing;

/// <summary>A fresh temporary directory that deletes itself when disposed.</summary>
public sealed class TempDir : IDisposable
{
    /// <summary>The directory's full path.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory("interplug-tests-").FullName;

    /// <summary>The path of <paramref name="name"/> inside the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a text file and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes a binary file and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Creates a subdirectory and returns its path.</summary>
    public string Dir(string name) => Directory.CreateDirectory(File(name)).FullName;

    /// <summary>Deletes the directory, as far as it can.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a test that left a file open must not fail on clean-up
        }
    }
}

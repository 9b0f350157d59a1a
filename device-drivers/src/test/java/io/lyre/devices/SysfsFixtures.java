package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The sysfs trees under src/test/resources/sysfs, read in place (Surefire runs in the module directory), and
 * copies of them in a temp dir for the broken variants. Copies keep symlinks as symlinks, as sysfs has them.
 */
final class SysfsFixtures {

    static final Path ROOT = Path.of("src/test/resources/sysfs");

    private SysfsFixtures() {
    }

    static Path fixture(String name) {
        Path tree = ROOT.resolve(name);
        assertThat(tree).as("fixture %s (tests run in the module directory)", name).isDirectory();
        return tree;
    }

    static ProbeContext context(Path sysfs) {
        return new ProbeContext(sysfs, Path.of("/dev"));
    }

    static ProbeResult scan(Path sysfs) {
        return new SysfsPciProbe().probe(context(sysfs));
    }

    /** Copies the named fixtures into one tree at {@code target} (their PCI domains do not overlap). */
    static Path copy(Path target, String... names) {
        for (String name : names) {
            Path source = fixture(name);
            try {
                Files.walkFileTree(source, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.copy(file, target.resolve(source.relativize(file).toString()),
                                LinkOption.NOFOLLOW_LINKS, StandardCopyOption.REPLACE_EXISTING);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return target;
    }

    /** The real directory of a PCI function in a tree. */
    static Path pciDir(Path sysfs, String address) {
        try {
            return sysfs.resolve("bus/pci/devices").resolve(address).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Device device(ProbeResult result, String id) {
        return result.devices().stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no device " + id + " in " + result.devices()));
    }

    /** Replaces a file by a directory of the same name: reading it fails, even for root. */
    static void makeUnreadable(Path file) throws IOException {
        Files.delete(file);
        Files.createDirectory(file);
        Files.writeString(file.resolve("inside"), "x");
    }

    static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }
}

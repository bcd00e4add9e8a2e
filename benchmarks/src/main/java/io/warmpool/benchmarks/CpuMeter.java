package io.warmpool.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

/**
 * CPU time spent by this JVM, by the processes it has waited for (pgbench), and by one PostgreSQL server (the
 * postmaster, its live backends and the backends it has reaped), read from {@code /proc} (Linux; elsewhere every
 * figure is NaN). A rate depends on what else the machine runs; CPU time per operation much less so, which makes
 * it the figure to compare on a shared machine. {@code /proc} counts in clock ticks (USER_HZ, 100 per second on
 * Linux), so a difference is only meaningful over seconds.
 */
final class CpuMeter {

    /** CPU seconds at one instant. */
    record Sample(double jvm, double waitedChildren, double postgres) {
        Sample minus(Sample earlier) {
            return new Sample(jvm - earlier.jvm, waitedChildren - earlier.waitedChildren, postgres - earlier.postgres);
        }
    }

    private static final double TICKS_PER_SECOND = 100;

    private final long postmaster;

    private CpuMeter(long postmaster) {
        this.postmaster = postmaster;
    }

    /** A meter for the server {@code connection} is connected to; it must run on this machine. */
    static CpuMeter forServerOf(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            long[] backend = stat(rs.getLong(1));
            return new CpuMeter(backend == null ? -1 : backend[0]);
        }
    }

    Sample sample() {
        double jvm = Double.NaN;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            jvm = os.getProcessCpuTime() / 1e9;
        }
        long[] self = stat(ProcessHandle.current().pid());
        double children = self == null ? Double.NaN : (self[3] + self[4]) / TICKS_PER_SECOND;
        return new Sample(jvm, children, postgres());
    }

    private double postgres() {
        long[] master = postmaster < 0 ? null : stat(postmaster);
        if (master == null) {
            return Double.NaN;
        }
        long ticks = master[1] + master[2] + master[3] + master[4];
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long[] child = stat(Long.parseLong(name));
                if (child != null && child[0] == postmaster) {
                    ticks += child[1] + child[2];
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** ppid, utime, stime, cutime, cstime of a process, or null when it cannot be read. */
    private static long[] stat(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: fields count from the last ')'.
            String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
            // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

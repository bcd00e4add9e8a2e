package io.warmpool.bootstrap.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.db.PostgresDatabase;
import org.junit.jupiter.api.Test;

/** The pg backend's connection, converted from the service's JDBC settings (Terraform's lib/pq takes a libpq URL). */
class TerraformProvisionerModuleTest {

    @Test
    void theEmbeddedDatabase_isReachedOnLoopbackWithoutTls_andThePasswordIsEncoded() {
        assertThat(TerraformProvisionerModule.libpq(new PostgresDatabase.ConnectionInfo(
                "jdbc:postgresql://127.0.0.1:45139/warmpool", "warmpool", "p@ss w/rd:+")))
                .isEqualTo("postgres://warmpool:p%40ss%20w%2Frd%3A%2B@127.0.0.1:45139/warmpool?sslmode=disable");
    }

    @Test
    void anExternalDatabase_keepsAnSslModeLibpqKnows_andRequiresTlsOffLoopbackOtherwise() {
        assertThat(TerraformProvisionerModule.libpq(new PostgresDatabase.ConnectionInfo(
                "jdbc:postgresql://db.internal:5432/wp?sslmode=verify-full&ApplicationName=x", "svc", null)))
                .isEqualTo("postgres://svc@db.internal:5432/wp?sslmode=verify-full");
        assertThat(TerraformProvisionerModule.libpq(new PostgresDatabase.ConnectionInfo(
                "jdbc:postgresql://db.internal/wp?sslmode=prefer&user=u&password=s", null, null)))
                .isEqualTo("postgres://u:s@db.internal/wp?sslmode=require");
        assertThat(TerraformProvisionerModule.libpq(new PostgresDatabase.ConnectionInfo(
                "jdbc:postgresql://localhost:5432/wp?ApplicationName=replica-a", "postgres", "x")))
                .endsWith("@localhost:5432/wp?sslmode=disable");
        assertThatThrownBy(() -> TerraformProvisionerModule.libpq(new PostgresDatabase.ConnectionInfo(
                "jdbc:mysql://h/db", null, null))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConnectionInfoNeverPrintsThePassword() {
        assertThat(new PostgresDatabase.ConnectionInfo("jdbc:postgresql://h/db", "u", "hunter2").toString())
                .doesNotContain("hunter2");
    }
}

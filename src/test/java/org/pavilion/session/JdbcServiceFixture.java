package org.pavilion.session;

import java.time.Instant;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.JdbcSessionStore;

/**
 * A migrated database with one project, for running the service on the real JDBC store. Public for the
 * pay crash test, which writes its ledger through the same store.
 */
public final class JdbcServiceFixture {

    public final JdbcSessionStore store;
    private final TaskRepository tasks;
    private final long projectId;

    public JdbcServiceFixture(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        this.store = new JdbcSessionStore(dataSource);
        this.tasks = new TaskRepository(dataSource);
        this.projectId = new ProjectRepository(dataSource).create("service tests", "", Instant.now()).id();
    }

    public long newTask(Thresholds thresholds) {
        return tasks.create(projectId, TaskSettings.basic("Live task", "A live task", "https://localhost/task", 50,
                thresholds), Instant.now()).id();
    }
}

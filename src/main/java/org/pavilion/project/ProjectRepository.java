package org.pavilion.project;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.storage.SqlSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

/** Projects, in the {@code project} table. */
@Repository
public class ProjectRepository {

    private static final String COLUMNS = "id, name, description, created_at";

    private final JdbcTemplate jdbc;

    @Autowired
    public ProjectRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public ProjectRepository(DataSource dataSource) {
        this(new JdbcTemplate(dataSource));
    }

    public Project create(String name, String description, Instant at) {
        if (name == null || name.isBlank()) {
            throw new InvalidConfigurationException("name", "is required");
        }
        String n = name.strip();
        String d = description == null ? "" : description.strip();
        if (n.length() > 200) {
            throw new InvalidConfigurationException("name", "must be at most 200 characters (was " + n.length() + ")");
        }
        if (d.length() > 4000) {
            throw new InvalidConfigurationException("description",
                    "must be at most 4000 characters (was " + d.length() + ")");
        }
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            var ps = con.prepareStatement("insert into project (name, description, created_at) values (?, ?, ?)",
                    new String[] {"id"});
            ps.setString(1, n);
            ps.setString(2, d);
            SqlSupport.set(ps, 3, at);
            return ps;
        }, keys);
        return new Project(SqlSupport.generatedId(keys), n, d, at);
    }

    public Optional<Project> find(long id) {
        return jdbc.query("select " + COLUMNS + " from project where id = ?", ProjectRepository::map, id)
                .stream().findFirst();
    }

    /** Every project, oldest first. */
    public List<Project> list() {
        return jdbc.query("select " + COLUMNS + " from project order by id", ProjectRepository::map);
    }

    private static Project map(ResultSet rs, int row) throws SQLException {
        return new Project(rs.getLong("id"), rs.getString("name"), rs.getString("description"),
                SqlSupport.get(rs, "created_at"));
    }
}

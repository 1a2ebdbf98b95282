// The lines `changeset version` writes in each CHANGELOG: @changesets/cli's own (each changeset's summary after its
// commit), but the dependencies a release updates in one line, where the default repeats "Updated dependencies" once
// per changeset that caused them (the same line three times over for three changesets of one commit).
const base = require("@changesets/cli/changelog").default;

module.exports = {
  getReleaseLine: base.getReleaseLine,
  getDependencyReleaseLine: async (_changesets, updated) =>
    updated.length === 0 ? "" : `- Updated dependencies: ${updated.map((d) => `${d.name}@${d.newVersion}`).join(", ")}`,
};

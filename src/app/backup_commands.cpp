#include "app/backup_commands.hpp"

#include <CLI/CLI.hpp>
#include <ostream>

#include "app/backup.hpp"

namespace medrtc::app {

namespace {

void addSecretOptions(CLI::App* cmd, std::string& passphraseFile, std::string& keyFile) {
  // The secret itself is never an argument: argv shows in `ps` and the shell history.
  cmd->add_option("--passphrase-file", passphraseFile,
                  "file whose first line is the passphrase (0600, at least 12 characters; Argon2id)");
  cmd->add_option("--key-file", keyFile, "file holding a 32-byte key, raw or as 64 hex digits (0600)");
}

}  // namespace

BackupCommands::BackupCommands(CLI::App* admin) {
  backup_ = admin->add_subcommand(
      "backup", "write an encrypted, consistent copy of the data dir (store, audit log, keys) while serve runs");
  backup_->add_option("--data-dir", dataDir_, "data directory (default ./data)");
  backup_->add_option("--out", file_, "the archive to write (never overwritten)")->required();
  addSecretOptions(backup_, passphraseFile_, keyFile_);

  restore_ =
      admin->add_subcommand("restore", "check an archive from `admin backup` and unpack it into a new, empty data dir");
  restore_->add_option("--data-dir", dataDir_, "the new data directory (missing or empty)")->required();
  restore_->add_option("--in", file_, "the archive")->required()->check(CLI::ExistingFile);
  addSecretOptions(restore_, passphraseFile_, keyFile_);
}

bool BackupCommands::parsed() const { return backup_->parsed() || restore_->parsed(); }

int BackupCommands::run(std::ostream& out, std::ostream& err) const {
  BackupSecret secret;
  try {
    secret = readBackupSecret(passphraseFile_, keyFile_);
    if (backup_->parsed()) {
      auto summary = backupDataDir(dataDir_, file_, secret);
      out << "wrote " << file_ << ": " << summary.files << " files and folders, " << summary.bytes
          << " bytes before encryption\n";
      if (!summary.sqliteStore) {
        out << "no medrtc.db in " << dataDir_ << ": the archive holds the audit log and the keys only. If the "
            << "store is in PostgreSQL, back it up with pg_dump as well (docs/operations.md \"Backups\").\n";
      }
    } else {
      auto summary = restoreDataDir(file_, dataDir_, secret);
      out << "restored " << summary.files << " files and folders into " << dataDir_ << "\n";
      if (!summary.sqliteStore) {
        out << "the archive holds no medrtc.db: restore the PostgreSQL store from its pg_dump.\n";
      }
      out << "check it with: medrtc audit verify --data-dir " << dataDir_ << "\n";
    }
  } catch (const std::exception& e) {
    sodium_memzero(secret.bytes.data(), secret.bytes.size());
    err << "medrtc admin " << (backup_->parsed() ? "backup" : "restore") << ": " << e.what() << "\n";
    return 1;
  }
  sodium_memzero(secret.bytes.data(), secret.bytes.size());
  return 0;
}

}  // namespace medrtc::app

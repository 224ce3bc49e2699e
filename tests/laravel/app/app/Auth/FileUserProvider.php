<?php

// FileUserProvider.php - the test application's users: storage/users.json (id, name, bcrypt password,
// panel_user), read by Laravel's session guard through this provider (no database needed for the test).

namespace App\Auth;

use Illuminate\Auth\GenericUser;
use Illuminate\Contracts\Auth\Authenticatable;
use Illuminate\Contracts\Auth\UserProvider;
use Illuminate\Contracts\Hashing\Hasher;

class FileUserProvider implements UserProvider
{
    public function __construct(private Hasher $hasher, private string $path)
    {
    }

    private function users(): array
    {
        return json_decode((string)file_get_contents($this->path), true, 8, JSON_THROW_ON_ERROR);
    }

    private function find(string $field, $value): ?GenericUser
    {
        foreach ($this->users() as $user) {
            if ((string)($user[$field] ?? '') === (string)$value) {
                return new GenericUser($user + ['remember_token' => null]);
            }
        }
        return null;
    }

    public function retrieveById($identifier)
    {
        return $this->find('id', $identifier);
    }

    public function retrieveByToken($identifier, $token)
    {
        return null;
    }

    public function updateRememberToken(Authenticatable $user, $token)
    {
    }

    public function retrieveByCredentials(array $credentials)
    {
        return isset($credentials['name']) ? $this->find('name', $credentials['name']) : null;
    }

    public function validateCredentials(Authenticatable $user, array $credentials)
    {
        return $this->hasher->check((string)($credentials['password'] ?? ''), $user->getAuthPassword());
    }
}

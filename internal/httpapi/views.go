package httpapi

import (
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/project"
)

// userView is a user as the API shows it (never the password hash).
type userView struct {
	ID          string    `json:"id" example:"5f2b8c1d9e0a4b7c8d6e5f4a3b2c1d0e"`
	Username    string    `json:"username" example:"alice"`
	Email       string    `json:"email" example:"alice@example.com"`
	Nickname    string    `json:"nickname" example:"Alice"`
	Role        string    `json:"role" example:"user" enums:"admin,user"`
	Disabled    bool      `json:"disabled"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

func viewUser(u account.User) userView {
	return userView{ID: u.ID, Username: u.Username, Email: u.Email, Nickname: u.Nickname, Role: string(u.Role),
		Disabled: u.Disabled, CreatedTime: u.CreatedTime, UpdatedTime: u.UpdatedTime}
}

// sessionView is the answer of register, login, refresh and password change.
type sessionView struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int64    `json:"expiresIn" example:"900"`
	TokenType string   `json:"tokenType" example:"Bearer"`
	User      userView `json:"user"`
}

func viewSession(s account.Session) sessionView {
	return sessionView{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken,
		ExpiresIn: int64(s.ExpiresIn.Seconds()), TokenType: "Bearer", User: viewUser(s.User)}
}

// apiTokenView describes an API token without its secret.
type apiTokenView struct {
	ID          string     `json:"id"`
	Name        string     `json:"name" example:"ci"`
	Prefix      string     `json:"prefix" example:"hst_AbC12x"`
	ProjectID   string     `json:"projectId,omitempty"`
	ReadOnly    bool       `json:"readOnly"`
	ExpiresAt   *time.Time `json:"expiresAt" extensions:"x-nullable"`
	LastUsedAt  *time.Time `json:"lastUsedAt" extensions:"x-nullable"`
	CreatedTime time.Time  `json:"createdTime"`
}

func viewAPIToken(t account.APIToken) apiTokenView {
	return apiTokenView{ID: t.ID, Name: t.Name, Prefix: t.Prefix, ProjectID: t.ProjectID, ReadOnly: t.ReadOnly,
		ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, CreatedTime: t.CreatedTime}
}

// createdAPITokenView is an API token at creation, the only time its
// secret is shown.
type createdAPITokenView struct {
	apiTokenView
	Token string `json:"token" example:"hst_..."`
}

type loginAttemptView struct {
	ID          int64     `json:"id"`
	UserID      string    `json:"userId,omitempty"`
	Username    string    `json:"username"`
	IP          string    `json:"ip"`
	UserAgent   string    `json:"userAgent"`
	Result      string    `json:"result" enums:"success,bad_credentials,disabled"`
	CreatedTime time.Time `json:"createdTime"`
}

func viewLoginAttempt(a account.LoginAttempt) loginAttemptView {
	return loginAttemptView{ID: a.ID, UserID: a.UserID, Username: a.Username, IP: a.IP, UserAgent: a.UserAgent,
		Result: string(a.Result), CreatedTime: a.CreatedTime}
}

// projectView is a project with what the caller needs to configure an app.
type projectView struct {
	ID          string `json:"id" example:"866116d35b382bb6e1ae0cbb484b9950"`
	Name        string `json:"name" example:"Shop app"`
	Description string `json:"description"`
	OwnerID     string `json:"ownerId"`
	// UpdateURL is what the app's upushy client is configured with.
	UpdateURL string `json:"updateUrl" example:"https://hoist.example.com/api/basic/update"`
	// MyRole is the caller's role, empty for admins who are not members.
	MyRole      string    `json:"myRole" enums:"owner,maintainer,viewer,"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

func viewProject(p project.Project, role project.Role, updateURL string) projectView {
	return projectView{ID: p.ID, Name: p.Name, Description: p.Description, OwnerID: p.OwnerID, UpdateURL: updateURL,
		MyRole: string(role), CreatedTime: p.CreatedTime, UpdatedTime: p.UpdatedTime}
}

type memberView struct {
	UserID      string    `json:"userId"`
	Username    string    `json:"username"`
	Nickname    string    `json:"nickname"`
	Role        string    `json:"role" enums:"owner,maintainer,viewer"`
	CreatedTime time.Time `json:"createdTime"`
}

func viewMember(m project.Member) memberView {
	return memberView{UserID: m.UserID, Username: m.Username, Nickname: m.Nickname, Role: string(m.Role), CreatedTime: m.CreatedTime}
}

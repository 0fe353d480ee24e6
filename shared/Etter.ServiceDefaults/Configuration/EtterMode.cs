namespace Etter.ServiceDefaults.Configuration;

public enum EtterMode
{
    Embedded,
    Distributed,
}
